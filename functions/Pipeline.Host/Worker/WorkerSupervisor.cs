using Microsoft.Extensions.Options;
using Pipeline.Host.Hosting;
using Pipeline.Host.Worker.Rpc;

namespace Pipeline.Host.Worker;

/// <summary>
/// Keeps one worker process running: starts it once the host listens, waits until it has loaded its functions,
/// and when it dies (or its stream breaks, or it is restarted after a timeout) fails its in-flight invocations at
/// once and starts a new one after <see cref="RestartBackoff"/>. On stop: refuses new work, lets in-flight work
/// finish (bounded), sends WorkerTerminate, waits for the process to exit (bounded), then kills it.
/// </summary>
internal sealed class WorkerSupervisor : BackgroundService, IHostedLifecycleService, IWorkerLifecycle
{
    private readonly AppDirectory _app;
    private readonly DataDirectory _data;
    private readonly RpcEndpoint _rpc;
    private readonly WorkerChannelRegistry _registry;
    private readonly WorkerLogForwarder _logs;
    private readonly InFlightWork _inFlight;
    private readonly HostRuntimeOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly string _workingDirectory;
    private readonly ILogger _logger;
    private readonly ILogger _consoleLogger;
    private readonly object _gate = new();
    private ActiveWorker? _active;
    private TaskCompletionSource<WorkerGeneration> _nextReady = NewReadySignal();
    private volatile bool _stopping;

    public WorkerSupervisor(AppDirectory app, DataDirectory data, RpcEndpoint rpc, WorkerChannelRegistry registry, WorkerLogForwarder logs,
        InFlightWork inFlight, IOptions<HostRuntimeOptions> options, IHostApplicationLifetime lifetime, IHostEnvironment environment, ILoggerFactory loggerFactory)
    {
        _workingDirectory = environment.ContentRootPath;
        _app = app;
        _data = data;
        _rpc = rpc;
        _registry = registry;
        _logs = logs;
        _inFlight = inFlight;
        _options = options.Value;
        _lifetime = lifetime;
        _logger = loggerFactory.CreateLogger<WorkerSupervisor>();
        _consoleLogger = loggerFactory.CreateLogger("Pipeline.Host.Worker.Console");
    }

    /// <inheritdoc/>
    public WorkerGeneration? Current => _stopping ? null : _active?.Generation;

    /// <inheritdoc/>
    public bool IsStopping => _stopping;

    /// <inheritdoc/>
    public event Action<WorkerGeneration>? Ready;

    /// <inheritdoc/>
    public event Action<WorkerGeneration, string>? Lost;

    /// <summary>The channel of the ready worker <paramref name="generation"/>, or null if it is no longer the ready one.</summary>
    internal WorkerChannel? ChannelOf(WorkerGeneration generation)
    {
        var active = _active;
        return active is not null && active.Generation == generation && !_stopping ? active.Channel : null;
    }

    /// <inheritdoc/>
    public Task<WorkerGeneration> WaitForReadyAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (Current is { } current) return Task.FromResult(current);
            return _nextReady.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Kills worker <paramref name="generation"/> (if it is still the ready one) so a new one starts: for a worker
    /// that did not give back a cancelled invocation in time, as Microsoft's host does after a function timeout.
    /// </summary>
    internal void Restart(WorkerGeneration generation, string reason)
    {
        var active = _active;
        if (active is null || active.Generation != generation) return;
        _logger.LogWarning("Restarting worker {Generation} (pid {Pid}): {Reason}", generation.Number, generation.ProcessId, reason);
        active.Channel.Close(reason);
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The worker dials the loopback endpoint, which is bound once the server has started.
        await WhenStarted(stoppingToken).ConfigureAwait(false);
        var backoff = new RestartBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        for (var number = 1; !stoppingToken.IsCancellationRequested && !_stopping; number++)
        {
            TimeSpan servedFor;
            try
            {
                servedFor = await RunWorkerAsync(number, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException)
            {
                _logger.LogError(e, "Could not start worker {Generation}", number);
                servedFor = TimeSpan.Zero;
            }
            if (stoppingToken.IsCancellationRequested || _stopping) break;
            var delay = backoff.Next(wasHealthy: servedFor >= _options.HealthyPeriod);
            _logger.LogWarning("Starting a new worker in {Delay:g}", delay);
            try
            {
                await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Runs one worker until it stops; returns how long it was ready (zero if it never was).</summary>
    private async Task<TimeSpan> RunWorkerAsync(int number, CancellationToken stoppingToken)
    {
        var workerId = Guid.NewGuid().ToString();
        var channel = new WorkerChannel(workerId, _app.Path, _logger, _logs);
        _registry.Expect(channel);
        var environment = WorkerEnvironment.Build(Environment.GetEnvironmentVariables(), _app, _data);
        using var process = WorkerProcess.Start(_app, _workingDirectory, _rpc.Address, workerId, environment, _consoleLogger);
        _logger.LogInformation("Started worker {Generation} (pid {Pid}): {Worker}", number, process.Id, _app.WorkerPath);
        try
        {
            var functions = await WaitUntilLoadedAsync(channel, process, stoppingToken).ConfigureAwait(false);
            if (functions is null) return TimeSpan.Zero;

            var generation = new WorkerGeneration(number, process.Id, functions, channel.HttpUri, channel.Capabilities);
            var active = new ActiveWorker(generation, channel, process);
            BecomeReady(active);
            var readyAt = TimeProvider.System.GetTimestamp();

            var stopped = await Task.WhenAny(process.Exited, channel.Closed, Task.Delay(Timeout.Infinite, stoppingToken)).ConfigureAwait(false);
            var servedFor = TimeProvider.System.GetElapsedTime(readyAt);
            if (_stopping || stoppingToken.IsCancellationRequested) return servedFor; // StopAsync owns the rest.

            // A dying worker breaks its stream a moment before the process is gone: the exit code says more.
            var reason = stopped == process.Exited || await ExitedWithin(process, TimeSpan.FromSeconds(1)).ConfigureAwait(false)
                ? $"the worker process exited with code {process.Exited.Result}"
                : channel.Closed.Result;
            _active = null;
            channel.Close(reason);
            _logger.LogError("Worker {Generation} (pid {Pid}) stopped serving after {ServedFor:g}: {Reason}", number, process.Id, servedFor, reason);
            RaiseLost(generation, reason);
            return servedFor;
        }
        finally
        {
            _registry.Forget(channel);
            if (!_stopping)
            {
                process.Kill();
                if (!await ExitedWithin(process, TimeSpan.FromSeconds(30)).ConfigureAwait(false))
                    _logger.LogError("Worker process {Pid} did not exit after being killed", process.Id);
            }
        }
    }

    private async Task<IReadOnlyList<LoadedFunction>?> WaitUntilLoadedAsync(WorkerChannel channel, WorkerProcess process, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(_options.WorkerStartTimeout);
        var first = await Task.WhenAny(channel.Loaded, process.Exited, Task.Delay(Timeout.Infinite, timeout.Token)).ConfigureAwait(false);
        if (first == channel.Loaded && channel.Loaded.IsCompletedSuccessfully)
        {
            _logger.LogInformation("Worker loaded {Count} functions: {Functions}", channel.Loaded.Result.Count,
                string.Join(", ", channel.Loaded.Result.Select(f => $"{f.Name} [{f.TriggerType}]")));
            return channel.Loaded.Result;
        }

        string reason;
        if (first == channel.Loaded) reason = channel.Loaded.Exception?.InnerException?.Message ?? "it failed to load its functions";
        else if (first == process.Exited) reason = $"the worker process exited with code {process.Exited.Result} before loading its functions";
        else if (stoppingToken.IsCancellationRequested) reason = "the host is stopping";
        else reason = $"the worker did not load its functions within {_options.WorkerStartTimeout:g} (pipeline.host.workerStartTimeout)";
        channel.Close(reason);
        if (!stoppingToken.IsCancellationRequested) _logger.LogError("Worker did not start: {Reason}", reason);
        return null;
    }

    private void BecomeReady(ActiveWorker active)
    {
        TaskCompletionSource<WorkerGeneration> ready;
        lock (_gate)
        {
            _active = active;
            ready = _nextReady;
            _nextReady = NewReadySignal();
        }
        ready.TrySetResult(active.Generation);
        try
        {
            Ready?.Invoke(active.Generation);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "A handler of the worker's Ready event failed");
        }
    }

    private void RaiseLost(WorkerGeneration generation, string reason)
    {
        try
        {
            Lost?.Invoke(generation, reason);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "A handler of the worker's Lost event failed");
        }
    }

    /// <inheritdoc/>
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Graceful stop, before any service stops (Kestrel would otherwise wait on the worker's never-ending FunctionRpc
    /// stream): no new work, drain (bounded), WorkerTerminate, wait for exit (bounded), kill.
    /// </summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        var active = _active;
        _logger.LogInformation("Stopping: waiting for {Count} in-flight invocations and requests", _inFlight.Count);
        if (!await _inFlight.WaitIdleAsync(_options.DrainTimeout).ConfigureAwait(false))
            _logger.LogWarning("{Count} invocations or requests were still running after {Timeout:g} (pipeline.host.drainTimeout); stopping the worker anyway", _inFlight.Count, _options.DrainTimeout);

        if (active is not null)
        {
            if (active.Channel.HandlesWorkerTerminate)
                active.Channel.Send(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(_options.WorkerExitTimeout) } });
            if (!await ExitedWithin(active.Process, _options.WorkerExitTimeout).ConfigureAwait(false))
                _logger.LogWarning("The worker (pid {Pid}) did not exit within {Timeout:g} after WorkerTerminate; killing it", active.Generation.ProcessId, _options.WorkerExitTimeout);
            active.Process.Kill();
            await ExitedWithin(active.Process, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            active.Channel.Close("the host stopped");
            _logger.LogInformation("Worker (pid {Pid}) stopped", active.Generation.ProcessId);
        }
    }

    private static async Task<bool> ExitedWithin(WorkerProcess process, TimeSpan timeout)
        => await Task.WhenAny(process.Exited, Task.Delay(timeout)).ConfigureAwait(false) == process.Exited;

    private Task WhenStarted(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(stoppingToken);
    }

    private static TaskCompletionSource<WorkerGeneration> NewReadySignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed record ActiveWorker(WorkerGeneration Generation, WorkerChannel Channel, WorkerProcess Process);
}
