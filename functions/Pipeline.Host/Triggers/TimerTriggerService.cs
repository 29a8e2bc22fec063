using System.Threading.Channels;
using Pipeline.Host.Worker;
using Pipeline.Host.Worker.Rpc;

namespace Pipeline.Host.Triggers;

/// <summary>
/// Runs the timer-triggered functions (<c>timerTrigger</c> bindings) on their schedules, on the host's
/// <see cref="TimeProvider"/> from DI (UTC), through <see cref="IFunctionInvoker"/> with a TimerInfo input
/// (<see cref="TimerInfoPayload"/>). Scheduling starts once the worker has loaded its functions and follows every new
/// worker after a restart (functions added, removed or rescheduled are picked up; runOnStartup runs once per host
/// start). One invocation of a function at a time: the next occurrence is taken after the previous invocation ended,
/// so occurrences passed meanwhile are skipped, as are occurrences while no worker is ready. A failing, timed-out or
/// lost invocation is logged and the schedule goes on; nothing here stops the host.
/// </summary>
internal sealed class TimerTriggerService(
    IWorkerLifecycle lifecycle,
    IFunctionInvoker invoker,
    IConfiguration configuration,
    TimeProvider clock,
    ILogger<TimerTriggerService> logger) : BackgroundService
{
    // Long waits are cut into slices so a clock that jumps (NTP, a test clock) is looked at again at least this often.
    private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(1);

    private readonly Channel<WorkerGeneration> _generations = Channel.CreateUnbounded<WorkerGeneration>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, RunningTimer> _running = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _ranOnStartup = new(StringComparer.OrdinalIgnoreCase);
    private int _lastGeneration;

    /// <inheritdoc/>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        lifecycle.Ready += OnReady;
        if (lifecycle.Current is { } current) OnReady(current);
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public override Task StopAsync(CancellationToken cancellationToken)
    {
        lifecycle.Ready -= OnReady;
        return base.StopAsync(cancellationToken);
    }

    private void OnReady(WorkerGeneration generation) => _generations.Writer.TryWrite(generation);

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var generation in _generations.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
                Reconcile(generation, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var timer in _running.Values) await timer.Stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(_running.Values.Select(t => t.Loop)).ConfigureAwait(false);
            foreach (var timer in _running.Values) timer.Stop.Dispose();
            _running.Clear();
        }
    }

    /// <summary>Schedules the timer functions of a newly ready worker: new ones start, gone or changed ones stop.</summary>
    private void Reconcile(WorkerGeneration generation, CancellationToken stoppingToken)
    {
        if (generation.Number <= _lastGeneration) return;
        _lastGeneration = generation.Number;

        var wanted = new Dictionary<string, TimerFunction>(StringComparer.OrdinalIgnoreCase);
        foreach (var function in generation.Functions.Where(f => f.IsTriggeredBy(TimerFunction.TriggerType)))
        {
            try
            {
                wanted[function.Name] = TimerFunction.From(function, configuration);
            }
            catch (FormatException e)
            {
                logger.LogError("Timer function {Function} is not scheduled: {Reason}", function.Name, e.Message);
            }
        }

        var previousLoops = new Dictionary<string, Task>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, running) in _running.ToList())
        {
            if (wanted.TryGetValue(name, out var function) && function.SameAs(running.Function)) continue;
            running.Stop.Cancel();
            _running.Remove(name);
            previousLoops[name] = running.Loop.ContinueWith(_ => running.Stop.Dispose(), TaskScheduler.Default);
            logger.LogInformation("Timer function {Function} is no longer scheduled as {Schedule}: worker {Generation} {Change}", name,
                running.Function.Schedule.Expression, generation.Number, function is null ? "has no such timer function" : "declares it differently");
        }

        foreach (var function in wanted.Values)
        {
            if (_running.ContainsKey(function.Name)) continue;
            var runOnStartup = function.RunOnStartup && _ranOnStartup.Add(function.Name);
            var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var previous = previousLoops.GetValueOrDefault(function.Name) ?? Task.CompletedTask;
            var loop = Task.Run(() => RunAsync(function, runOnStartup, previous, stop.Token, stoppingToken), CancellationToken.None);
            _running[function.Name] = new RunningTimer(function, stop, loop);
            logger.LogInformation("Timer function {Function} scheduled: {Schedule} (UTC){Startup}; next at {Next:O}", function.Name,
                function.Schedule.Expression, runOnStartup ? ", running now on startup" : "", function.Schedule.Next(clock.GetUtcNow()));
        }
    }

    /// <summary>One function's schedule, until <paramref name="stop"/>. Never throws.</summary>
    private async Task RunAsync(TimerFunction function, bool runOnStartup, Task previous, CancellationToken stop, CancellationToken hostStopping)
    {
        try
        {
            await previous.ConfigureAwait(false); // The same function's old schedule finishes its invocation first.
            DateTimeOffset? last = null;
            var lastUpdated = clock.GetUtcNow();
            if (runOnStartup)
            {
                await InvokeAsync(function, last, function.Schedule.Next(lastUpdated), lastUpdated, hostStopping).ConfigureAwait(false);
                lastUpdated = clock.GetUtcNow();
            }
            while (!stop.IsCancellationRequested)
            {
                if (function.Schedule.Next(clock.GetUtcNow()) is not { } due)
                {
                    logger.LogWarning("Timer function {Function}: schedule {Schedule} has no further occurrence", function.Name, function.Schedule.Expression);
                    return;
                }
                await WaitUntilAsync(due, stop).ConfigureAwait(false);
                await InvokeAsync(function, last, due, lastUpdated, hostStopping).ConfigureAwait(false);
                last = due;
                lastUpdated = clock.GetUtcNow();
                if (function.Schedule.Next(due) is { } following && following <= lastUpdated)
                    logger.LogDebug("Timer function {Function} ran past its next occurrence {Next:O}; skipped until the one after {Now:O}", function.Name, following, lastUpdated);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogError(e, "The schedule of timer function {Function} failed and stopped", function.Name);
        }
    }

    private async Task WaitUntilAsync(DateTimeOffset due, CancellationToken stop)
    {
        for (var remaining = due - clock.GetUtcNow(); remaining > TimeSpan.Zero; remaining = due - clock.GetUtcNow())
            await Task.Delay(remaining < MaxWait ? remaining : MaxWait, clock, stop).ConfigureAwait(false);
    }

    /// <summary>One invocation; its outcome is logged, never thrown (but for the host stopping).</summary>
    private async Task InvokeAsync(TimerFunction function, DateTimeOffset? last, DateTimeOffset? next, DateTimeOffset lastUpdated, CancellationToken hostStopping)
    {
        if (lifecycle.IsStopping) return;
        var input = TimerInfoPayload.Binding(function.BindingName, TimerInfoPayload.Json(last, next, lastUpdated, isPastDue: false));
        var started = clock.GetTimestamp();
        try
        {
            var response = await invoker.InvokeAsync(function.Name, [input], new Dictionary<string, TypedData>(), hostStopping).ConfigureAwait(false);
            var status = response.Result?.Status ?? StatusResult.Types.Status.Failure;
            if (status == StatusResult.Types.Status.Success)
            {
                logger.LogDebug("Timer function {Function} (invocation {InvocationId}) succeeded in {Duration:g}", function.Name, response.InvocationId, clock.GetElapsedTime(started));
            }
            else
            {
                var exception = response.Result?.Exception is { } e ? new WorkerReportedException(e) : null;
                logger.LogError(exception, "Timer function {Function} (invocation {InvocationId}) {Outcome}", function.Name, response.InvocationId,
                    status == StatusResult.Types.Status.Cancelled ? "was cancelled" : "failed");
            }
        }
        catch (WorkerUnavailableException) when (lifecycle.IsStopping || hostStopping.IsCancellationRequested)
        {
        }
        catch (OperationCanceledException) when (hostStopping.IsCancellationRequested)
        {
        }
        catch (WorkerUnavailableException e)
        {
            logger.LogWarning("Timer function {Function} did not run at {Due:O}: {Reason}", function.Name, next, e.Message);
        }
        catch (FunctionNotFoundException)
        {
            logger.LogWarning("Timer function {Function} did not run at {Due:O}: the ready worker has not loaded it", function.Name, next);
        }
        catch (FunctionTimeoutException e)
        {
            logger.LogError("Timer function {Function} (invocation {InvocationId}) timed out after {Timeout:g}", function.Name, e.InvocationId, e.Timeout);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Timer function {Function} could not be invoked", function.Name);
        }
    }

    private sealed record RunningTimer(TimerFunction Function, CancellationTokenSource Stop, Task Loop);
}
