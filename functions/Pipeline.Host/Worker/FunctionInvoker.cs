using Microsoft.Extensions.Options;
using Pipeline.Host.Hosting;
using Pipeline.Host.Worker.Rpc;

namespace Pipeline.Host.Worker;

/// <summary>
/// Sends invocations to the ready worker (see <see cref="IFunctionInvoker"/>). Fails fast when no worker is ready;
/// an invocation in flight when its worker stops fails at once. On <c>functionTimeout</c> the worker is sent
/// InvocationCancel and the invocation fails; if the worker has not given it back after
/// <c>pipeline.host.cancelGracePeriod</c>, the worker is restarted (what Microsoft's host does after a timeout).
/// </summary>
internal sealed class FunctionInvoker : IFunctionInvoker
{
    private readonly WorkerSupervisor _supervisor;
    private readonly InFlightWork _inFlight;
    private readonly Dictionary<string, IInputBindingProvider> _providers;
    private readonly TimeSpan? _functionTimeout;
    private readonly TimeSpan _cancelGrace;
    private readonly ILogger<FunctionInvoker> _logger;

    public FunctionInvoker(WorkerSupervisor supervisor, InFlightWork inFlight, IEnumerable<IInputBindingProvider> providers,
        FunctionsHostOptions hostOptions, IOptions<HostRuntimeOptions> runtimeOptions, ILogger<FunctionInvoker> logger)
    {
        _supervisor = supervisor;
        _inFlight = inFlight;
        _providers = new Dictionary<string, IInputBindingProvider>(StringComparer.OrdinalIgnoreCase);
        foreach (var provider in providers)
        {
            if (!_providers.TryAdd(provider.BindingType, provider))
                throw new InvalidOperationException($"Two input binding providers for binding type '{provider.BindingType}': {_providers[provider.BindingType].GetType()} and {provider.GetType()}.");
        }
        _functionTimeout = hostOptions.FunctionTimeout;
        _cancelGrace = runtimeOptions.Value.CancelGracePeriod;
        _logger = logger;
    }

    /// <inheritdoc/>
    public Task<InvocationResponse> InvokeAsync(string functionName, IEnumerable<ParameterBinding> inputs, IReadOnlyDictionary<string, TypedData> triggerMetadata, CancellationToken cancellationToken)
        => InvokeAsync(new InvocationPlan(functionName, inputs, triggerMetadata), cancellationToken);

    /// <summary>Invokes per <paramref name="plan"/>; same contract as <see cref="IFunctionInvoker.InvokeAsync"/>.</summary>
    public async Task<InvocationResponse> InvokeAsync(InvocationPlan plan, CancellationToken cancellationToken)
    {
        if (_supervisor.IsStopping) throw new WorkerUnavailableException("The host is stopping; it takes no new invocations.");
        var generation = plan.Generation ?? _supervisor.Current
            ?? throw new WorkerUnavailableException("No worker process is ready (it is starting or restarting); retry shortly.");
        var channel = _supervisor.ChannelOf(generation)
            ?? throw new WorkerUnavailableException($"Worker {generation.Number} is no longer serving; retry shortly.");
        var function = generation.Find(plan.FunctionName) ?? throw new FunctionNotFoundException(plan.FunctionName);

        using var lease = _inFlight.Enter();
        var request = new InvocationRequest
        {
            FunctionId = function.FunctionId,
            InvocationId = Guid.NewGuid().ToString(),
            TraceContext = TraceContexts.Current(),
        };
        request.InputData.AddRange(plan.Inputs);
        await AddProvidedInputsAsync(function, request, cancellationToken).ConfigureAwait(false);
        foreach (var (name, value) in plan.TriggerMetadata) request.TriggerMetadata[name] = value;

        var response = channel.Register(request.InvocationId);
        try
        {
            plan.BeforeSend?.Invoke(request.InvocationId, generation);
        }
        catch
        {
            channel.Forget(request.InvocationId);
            throw;
        }
        channel.Send(new StreamingMessage { InvocationRequest = request });
        return await WaitAsync(channel, generation, function, request.InvocationId, response, cancellationToken).ConfigureAwait(false);
    }

    private async Task AddProvidedInputsAsync(LoadedFunction function, InvocationRequest request, CancellationToken cancellationToken)
    {
        if (_providers.Count == 0) return;
        foreach (var binding in function.Bindings)
        {
            if (!binding.IsInput || binding.IsTrigger || !_providers.TryGetValue(binding.Type, out var provider)) continue;
            if (request.InputData.Any(input => string.Equals(input.Name, binding.Name, StringComparison.OrdinalIgnoreCase))) continue;
            var data = await provider.BindAsync(function, binding, cancellationToken).ConfigureAwait(false);
            request.InputData.Add(new ParameterBinding { Name = binding.Name, Data = data });
        }
    }

    private async Task<InvocationResponse> WaitAsync(WorkerChannel channel, WorkerGeneration generation, LoadedFunction function, string invocationId,
        Task<InvocationResponse> response, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource();
        if (_functionTimeout is { } limit) timeout.CancelAfter(limit);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await response.WaitAsync(either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (either.IsCancellationRequested && !response.IsCompleted)
        {
            var timedOut = timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
            channel.Cancel(invocationId);
            _ = WatchCancelledAsync(generation, function, invocationId, response, timedOut);
            if (!timedOut) throw;
            _logger.LogWarning("Function {Function} (invocation {InvocationId}) exceeded functionTimeout {Timeout:g}; cancelled", function.Name, invocationId, _functionTimeout);
            throw new FunctionTimeoutException(function.Name, invocationId, _functionTimeout!.Value);
        }
    }

    /// <summary>After InvocationCancel: a worker that does not give a timed-out invocation back within the grace period is restarted.</summary>
    private async Task WatchCancelledAsync(WorkerGeneration generation, LoadedFunction function, string invocationId, Task<InvocationResponse> response, bool timedOut)
    {
        try
        {
            await response.WaitAsync(_cancelGrace).ConfigureAwait(false);
            _logger.LogDebug("Function {Function} gave back cancelled invocation {InvocationId}", function.Name, invocationId);
        }
        catch (TimeoutException)
        {
            if (timedOut)
                _supervisor.Restart(generation, $"function {function.Name} did not stop within {_cancelGrace:g} (pipeline.host.cancelGracePeriod) after invocation {invocationId} was cancelled for exceeding functionTimeout");
            else
                _logger.LogWarning("Function {Function} still runs invocation {InvocationId} {Grace:g} after its caller cancelled it", function.Name, invocationId, _cancelGrace);
        }
        catch (WorkerUnavailableException)
        {
            // The worker stopped meanwhile: the invocation is gone with it.
        }
    }
}
