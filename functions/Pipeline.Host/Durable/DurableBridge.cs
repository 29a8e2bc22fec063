using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Pipeline.Host.Worker;
using Pipeline.Host.Worker.Rpc;
using RpcException = Grpc.Core.RpcException;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Host.Durable;

/// <summary>
/// Connects the worker's durable functions to the sidecar, as Microsoft's Durable extension does for isolated workers
/// (OutOfProcMiddleware): the host is the Durable Task worker. For every ready worker generation that has
/// <c>orchestrationTrigger</c> or <c>activityTrigger</c> functions it opens one GetWorkItems stream (with
/// host.json's concurrency limits, which the sidecar enforces) and turns each work item into an InvocationRequest for
/// that generation: an orchestrator gets the base64 protobuf OrchestratorRequest and answers with a base64
/// OrchestratorResponse (→ CompleteOrchestratorTask); an activity gets its input JSON (a one-element array
/// unwrapped, as the extension does for dotnet-isolated) and its result becomes CompleteActivityTask, a thrown
/// exception a TaskFailureDetails. When the generation is lost its stream ends, and the sidecar gives its unfinished
/// work items to the next generation; an invocation that cannot run (no worker, timeout, host stopping) is abandoned
/// so it is retried.
/// </summary>
internal sealed class DurableBridge : BackgroundService
{
    /// <summary>The trigger types served.</summary>
    public const string OrchestrationTrigger = "orchestrationTrigger";

    /// <summary>The activity trigger type.</summary>
    public const string ActivityTrigger = "activityTrigger";

    private readonly WorkerSupervisor _supervisor;
    private readonly FunctionInvoker _invoker;
    private readonly SidecarClient _sidecar;
    private readonly DurableHostOptions _options;
    private readonly NonDurableAwaitProbe _probe;
    private readonly ILogger<DurableBridge> _logger;
    private readonly ConcurrentDictionary<int, CancellationTokenSource> _generations = new();
    private int _streamsOpened;

    public DurableBridge(WorkerSupervisor supervisor, FunctionInvoker invoker, SidecarClient sidecar, DurableHostOptions options,
        NonDurableAwaitProbe probe, ILogger<DurableBridge> logger)
    {
        _supervisor = supervisor;
        _invoker = invoker;
        _sidecar = sidecar;
        _options = options;
        _probe = probe;
        _logger = logger;
        _supervisor.Lost += (generation, _) =>
        {
            if (_generations.TryRemove(generation.Number, out var cts)) cts.Cancel();
        };
    }

    /// <summary>The generation whose work-item stream is open now, or null.</summary>
    public int? ConnectedGeneration { get; private set; }

    /// <summary>How many work-item streams were opened since start (one per worker generation with durable functions).</summary>
    public int StreamsOpened => Volatile.Read(ref _streamsOpened);

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var served = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            WorkerGeneration generation;
            try
            {
                generation = await _supervisor.WaitForReadyAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (generation.Number <= served)
            {
                // Still the generation served last: wait for the next one.
                await WaitForNextGenerationAsync(generation, stoppingToken).ConfigureAwait(false);
                continue;
            }
            served = generation.Number;
            if (!generation.Functions.Any(IsDurable))
            {
                _logger.LogInformation("Worker {Generation} has no orchestration or activity functions; no durable work-item stream", generation.Number);
                continue;
            }
            using var lost = new CancellationTokenSource();
            _generations[generation.Number] = lost;
            if (_supervisor.Current != generation) lost.Cancel();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(lost.Token, stoppingToken);
            try
            {
                await ServeGenerationAsync(generation, linked.Token).ConfigureAwait(false);
            }
            finally
            {
                _generations.TryRemove(generation.Number, out _);
                ConnectedGeneration = null;
            }
        }
    }

    private async Task WaitForNextGenerationAsync(WorkerGeneration current, CancellationToken stoppingToken)
    {
        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLost(WorkerGeneration g, string _) => next.TrySetResult();
        _supervisor.Lost += OnLost;
        try
        {
            if (_supervisor.Current != current) return;
            await next.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _supervisor.Lost -= OnLost;
        }
    }

    private static bool IsDurable(LoadedFunction f) => f.IsTriggeredBy(OrchestrationTrigger) || f.IsTriggeredBy(ActivityTrigger);

    /// <summary>Keeps a work-item stream open for <paramref name="generation"/> until it is lost or the host stops.</summary>
    private async Task ServeGenerationAsync(WorkerGeneration generation, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await RunStreamAsync(generation, ct).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(200);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException e) when (ct.IsCancellationRequested || e.StatusCode == StatusCode.Cancelled && ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RpcException or IOException or HttpRequestException or InvalidOperationException)
            {
                _logger.LogWarning("The durable work-item stream of worker {Generation} broke ({Message}); reconnecting in {Delay:g}", generation.Number, e.Message, delay);
            }
            try
            {
                await Task.Delay(delay, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }

    private async Task RunStreamAsync(WorkerGeneration generation, CancellationToken ct)
    {
        var request = new P.GetWorkItemsRequest
        {
            MaxConcurrentOrchestrationWorkItems = _options.MaxConcurrentOrchestratorFunctions,
            MaxConcurrentActivityWorkItems = _options.MaxConcurrentActivityFunctions,
        };
        using var call = _sidecar.WorkItems.GetWorkItems(request, cancellationToken: ct);
        Interlocked.Increment(ref _streamsOpened);
        ConnectedGeneration = generation.Number;
        _logger.LogInformation("Durable bridge: worker {Generation} takes work items (up to {Orchestrations} orchestrator and {Activities} activity invocations at once)",
            generation.Number, request.MaxConcurrentOrchestrationWorkItems, request.MaxConcurrentActivityWorkItems);
        while (await call.ResponseStream.MoveNext(ct).ConfigureAwait(false))
        {
            var item = call.ResponseStream.Current;
            switch (item.RequestCase)
            {
                case P.WorkItem.RequestOneofCase.OrchestratorRequest:
                    _ = Task.Run(() => RunOrchestratorAsync(generation, item.OrchestratorRequest, item.CompletionToken, ct), CancellationToken.None);
                    break;
                case P.WorkItem.RequestOneofCase.ActivityRequest:
                    _ = Task.Run(() => RunActivityAsync(generation, item.ActivityRequest, item.CompletionToken, ct), CancellationToken.None);
                    break;
                case P.WorkItem.RequestOneofCase.HealthPing:
                    break;
                default:
                    _logger.LogWarning("Durable bridge: ignored a {Kind} work item (not supported by this host)", item.RequestCase);
                    break;
            }
        }
    }

    private async Task RunOrchestratorAsync(WorkerGeneration generation, P.OrchestratorRequest request, string completionToken, CancellationToken ct)
    {
        var name = OrchestrationHistory.NameOf(request);
        try
        {
            var function = generation.Functions.FirstOrDefault(f => f.IsTriggeredBy(OrchestrationTrigger) && string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
            P.OrchestratorResponse response;
            if (OrchestrationRewind.IsRequest(request))
            {
                response = OrchestrationRewind.Respond(request);
            }
            else if (function is null)
            {
                response = OrchestrationHistory.Failed(request, "OrchestratorFunctionNotFound",
                    $"The function '{name}' doesn't exist, is disabled, or is not an orchestrator function. Additional info: the app's orchestrator functions are: {string.Join(", ", generation.Functions.Where(f => f.IsTriggeredBy(OrchestrationTrigger)).Select(f => f.Name))}.");
            }
            else
            {
                var probe = _probe.IsProbe(request);
                var metadata = new Dictionary<string, TypedData>(StringComparer.Ordinal)
                {
                    ["instanceId"] = new TypedData { String = request.InstanceId },
                };
                if (probe) metadata[NonDurableAwaitProbe.TriggerMetadataKey] = new TypedData { String = "true" };
                var input = new ParameterBinding { Name = function.Trigger!.Name, Data = new TypedData { String = request.ToByteString().ToBase64() } };
                var invocation = await _invoker.InvokeAsync(new InvocationPlan(function.Name, [input], metadata, generation), ct).ConfigureAwait(false);
                response = ReadOrchestratorResponse(request, function.Name, invocation);
            }
            response.CompletionToken = completionToken;
            if (string.IsNullOrEmpty(response.InstanceId)) response.InstanceId = request.InstanceId;
            await _sidecar.WorkItems.CompleteOrchestratorTaskAsync(response, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            _probe.Observe(request, response);
        }
        catch (Exception e) when (IsRetryable(e, ct))
        {
            _logger.LogWarning("Orchestrator {Name} ({InstanceId}) could not run now ({Message}); its work item is abandoned and will be retried", name, request.InstanceId, e.Message);
            await AbandonAsync(() => _sidecar.WorkItems.AbandonTaskOrchestratorWorkItemAsync(new P.AbandonOrchestrationTaskRequest { CompletionToken = completionToken }).ResponseAsync).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Orchestrator {Name} ({InstanceId}): the work item could not be completed; it is retried when its lease lapses", name, request.InstanceId);
        }
    }

    private P.OrchestratorResponse ReadOrchestratorResponse(P.OrchestratorRequest request, string functionName, InvocationResponse invocation)
    {
        if (invocation.Result?.Status == StatusResult.Types.Status.Failure)
        {
            // The SDK turns an orchestrator's own exception into a failed completion; a failed invocation is something
            // else (a middleware, the binding). Microsoft's extension fails the orchestration then; so does this host.
            var error = invocation.Result.Exception;
            _logger.LogError("Orchestrator function {Function} ({InstanceId}) failed: {Message}", functionName, request.InstanceId, error?.Message);
            return OrchestrationHistory.Failed(request, string.IsNullOrEmpty(error?.Type) ? "FunctionInvocationException" : error.Type,
                $"Function '{functionName}' failed with an unhandled exception. {error?.Message}".Trim(), error?.StackTrace);
        }
        var encoded = invocation.ReturnValue?.DataCase == TypedData.DataOneofCase.String ? invocation.ReturnValue.String : null;
        if (string.IsNullOrEmpty(encoded))
            throw new InvalidOperationException($"Orchestrator function {functionName} returned no OrchestratorResponse (is Microsoft.Azure.Functions.Worker.Extensions.DurableTask referenced by the app?).");
        return P.OrchestratorResponse.Parser.ParseFrom(ByteString.FromBase64(encoded));
    }

    private async Task RunActivityAsync(WorkerGeneration generation, P.ActivityRequest request, string completionToken, CancellationToken ct)
    {
        var instanceId = request.OrchestrationInstance?.InstanceId ?? "";
        try
        {
            var response = new P.ActivityResponse { InstanceId = instanceId, TaskId = request.TaskId, CompletionToken = completionToken };
            var function = generation.Functions.FirstOrDefault(f => f.IsTriggeredBy(ActivityTrigger) && string.Equals(f.Name, request.Name, StringComparison.OrdinalIgnoreCase));
            if (function is null)
            {
                response.FailureDetails = new P.TaskFailureDetails
                {
                    ErrorType = "ActivityFunctionNotFound",
                    ErrorMessage = $"The activity function '{request.Name}' doesn't exist, is disabled, or is not an activity function.",
                    IsNonRetriable = true,
                };
            }
            else
            {
                var input = ActivityPayloads.UnwrapInput(request.Input);
                var metadata = new Dictionary<string, TypedData>(StringComparer.Ordinal)
                {
                    ["instanceId"] = new TypedData { String = instanceId },
                };
                if (input is not null) metadata["data"] = new TypedData { Json = input };
                var binding = new ParameterBinding { Name = function.Trigger!.Name, Data = input is null ? new TypedData() : new TypedData { String = input } };
                var invocation = await _invoker.InvokeAsync(new InvocationPlan(function.Name, [binding], metadata, generation), ct).ConfigureAwait(false);
                if (invocation.Result?.Status == StatusResult.Types.Status.Failure)
                    response.FailureDetails = ActivityPayloads.Failure(invocation.Result.Exception);
                else
                    response.Result = ActivityPayloads.ToJson(invocation.ReturnValue);
            }
            await _sidecar.WorkItems.CompleteActivityTaskAsync(response, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        catch (FunctionTimeoutException e)
        {
            // Microsoft's extension fails the activity on a timeout (the orchestrator's retry policy may try again).
            var response = new P.ActivityResponse
            {
                InstanceId = instanceId, TaskId = request.TaskId, CompletionToken = completionToken,
                FailureDetails = new P.TaskFailureDetails { ErrorType = "Microsoft.Azure.WebJobs.Host.FunctionTimeoutException", ErrorMessage = e.Message },
            };
            await CompleteQuietlyAsync(response, request).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRetryable(e, ct))
        {
            _logger.LogWarning("Activity {Name} ({InstanceId} #{TaskId}) could not run now ({Message}); its work item is abandoned and will be retried", request.Name, instanceId, request.TaskId, e.Message);
            await AbandonAsync(() => _sidecar.WorkItems.AbandonTaskActivityWorkItemAsync(new P.AbandonActivityTaskRequest { CompletionToken = completionToken }).ResponseAsync).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Activity {Name} ({InstanceId} #{TaskId}): the work item could not be completed; it is retried when its lease lapses", request.Name, instanceId, request.TaskId);
        }
    }

    private async Task CompleteQuietlyAsync(P.ActivityResponse response, P.ActivityRequest request)
    {
        try
        {
            await _sidecar.WorkItems.CompleteActivityTaskAsync(response).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            _logger.LogWarning("Activity {Name} #{TaskId}: completing it failed ({Message})", request.Name, request.TaskId, e.Status.Detail);
        }
    }

    private static bool IsRetryable(Exception e, CancellationToken ct)
        => e is WorkerUnavailableException or FunctionNotFoundException || (e is OperationCanceledException && ct.IsCancellationRequested)
           || (e is FunctionTimeoutException);

    private async Task AbandonAsync(Func<Task> abandon)
    {
        try
        {
            await abandon().ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            // The stream ended first: the sidecar has already released the work item.
            _logger.LogDebug("Abandon failed ({Message}); the sidecar released the work item with the stream", e.Status.Detail);
        }
    }
}
