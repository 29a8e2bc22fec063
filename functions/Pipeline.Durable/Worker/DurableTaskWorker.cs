using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Durable.Runtime;
using Pipeline.Durable.Storage;

namespace Pipeline.Durable;

/// <summary>
/// Runs orchestration steps and activities from a store. Any number of workers, in any number of processes,
/// may share one store: work is leased, so each step and activity result is recorded once, and the work of a
/// worker that dies is picked up by the others when its leases expire.
/// </summary>
public sealed class DurableTaskWorker : IAsyncDisposable
{
    private readonly IOrchestrationStore _store;
    private readonly DurableTaskRegistry _registry;
    private readonly IServiceProvider _services;
    private readonly DurableTaskWorkerOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly ExecutorCache _cache;
    private readonly SemaphoreSlim _orchestrationSlots;
    private readonly SemaphoreSlim _activitySlots;
    private readonly Channel<ActivityResult> _results = Channel.CreateUnbounded<ActivityResult>(new() { SingleReader = true });
    private CancellationTokenSource? _stopping;
    // Cancelled only when a stop stops waiting: running activities get that long to finish.
    private readonly CancellationTokenSource _abort = new();
    private Task[] _loops = [];
    private Task? _flusher;
    private int _activeOrchestrations;
    private int _activeActivities;

    /// <summary>Creates a worker; call <see cref="StartAsync"/> to begin.</summary>
    public DurableTaskWorker(IOrchestrationStore store, DurableTaskRegistry registry, IServiceProvider services, DurableTaskWorkerOptions options,
        ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        _store = store;
        _registry = registry;
        _services = services;
        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("Pipeline.Durable.Worker");
        _clock = timeProvider ?? TimeProvider.System;
        _cache = new ExecutorCache(options.MaxCachedOrchestrations);
        _orchestrationSlots = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentOrchestrations));
        _activitySlots = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentActivities));
        WorkerId = options.WorkerId ?? $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
    }

    /// <summary>This worker's id, as written in leases.</summary>
    public string WorkerId { get; }

    /// <summary>Starts taking work.</summary>
    public Task StartAsync(CancellationToken ct = default)
    {
        if (_stopping is not null) throw new InvalidOperationException("The worker is already started.");
        _stopping = new CancellationTokenSource();
        var stop = _stopping.Token;
        _flusher = Task.Run(FlushActivityResultsAsync, CancellationToken.None);
        _loops =
        [
            Task.Run(() => DispatchAsync(WorkKind.Orchestration, _orchestrationSlots,
                (max, ct) => _store.LockNextOrchestrationsAsync(WorkerId, max, _options.LeaseDuration, ct), RunOrchestrationStepAsync, stop), CancellationToken.None),
            Task.Run(() => DispatchAsync(WorkKind.Activity, _activitySlots,
                (max, ct) => _store.LockNextActivitiesAsync(WorkerId, max, _options.LeaseDuration, ct), item => RunActivityAsync(item, _abort.Token), stop), CancellationToken.None),
            Task.Run(() => RenewLeasesAsync(stop), CancellationToken.None),
        ];
        _logger.LogInformation("Durable worker {WorkerId} started on the {Store} store.", WorkerId, _store.Kind);
        return Task.CompletedTask;
    }

    /// <summary>Stops taking work, lets running steps and activities finish (until <paramref name="ct"/> ends the wait) and records their results.</summary>
    public async Task StopAsync(CancellationToken ct = default)
    {
        if (_stopping is null || _stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        await using var abortWhenImpatient = ct.Register(_abort.Cancel);
        try
        {
            await Task.WhenAll(_loops).WaitAsync(ct);
            // Wait for in-flight work: every slot back means nothing is running.
            for (var i = 0; i < _options.MaxConcurrentOrchestrations; i++) await _orchestrationSlots.WaitAsync(ct);
            for (var i = 0; i < _options.MaxConcurrentActivities; i++) await _activitySlots.WaitAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            _logger.LogWarning("Durable worker {WorkerId} stopped before its running work finished; leases will expire and the work will be redone.", WorkerId);
        }
        _results.Writer.TryComplete();
        if (_flusher is not null) await _flusher.WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>What the worker is doing now.</summary>
    public DurableTaskWorkerStatus GetStatus() => new(
        WorkerId,
        _stopping is { IsCancellationRequested: false } && _loops.All(l => !l.IsCompleted),
        Volatile.Read(ref _activeOrchestrations), _options.MaxConcurrentOrchestrations,
        Volatile.Read(ref _activeActivities), _options.MaxConcurrentActivities);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { await StopAsync(timeout.Token); } catch (OperationCanceledException) { }
    }

    /// <summary>
    /// Takes work of one kind while there are free slots: leases as many items as slots are free, starts each on
    /// the thread pool (the item's runner gives its slot back), and waits for a wake-up when there is none.
    /// </summary>
    private async Task DispatchAsync<T>(WorkKind kind, SemaphoreSlim slots, Func<int, CancellationToken, Task<IReadOnlyList<T>>> lockNext,
        Func<T, Task> run, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var taken = await TakeSlotsAsync(slots, stop);
            if (taken == 0) break;
            IReadOnlyList<T> items;
            try
            {
                items = await lockNext(taken, stop);
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                slots.Release(taken);
                _logger.LogError(ex, "Could not fetch {Kind} work; retrying.", kind);
                await DelayQuietly(TimeSpan.FromSeconds(1), stop);
                continue;
            }
            catch (OperationCanceledException)
            {
                slots.Release(taken);
                break;
            }
            if (taken > items.Count) slots.Release(taken - items.Count);
            foreach (var item in items)
            {
                _ = Task.Run(() => run(item), CancellationToken.None);
            }
            if (items.Count == 0) await WaitForWorkQuietly(kind, stop);
        }
    }

    private async Task RunOrchestrationStepAsync(OrchestrationWorkItem item)
    {
        Interlocked.Increment(ref _activeOrchestrations);
        try
        {
            var executor = _cache.Take(item.InstanceId, item.ExecutionId, item.HistoryCount) ?? await ReplayAsync(item);
            if (executor is null) return;
            var commit = executor.RunStep(item, WorkerId, _clock.GetUtcNow().UtcDateTime);
            // Cached before the commit: the next step may be leased the moment the commit releases the lease, and
            // it should find the executor rather than replay the whole history. Nobody else can lease it before.
            if (!executor.IsFinished) _cache.Put(executor);
            if (await _store.CommitOrchestrationAsync(commit))
            {
                if (commit.Status == OrchestrationRuntimeStatus.Failed)
                    _logger.LogWarning("Orchestration {Name} ({InstanceId}) failed: {Error}", item.Name, item.InstanceId, commit.Failure?.ErrorMessage);
            }
            else
            {
                _cache.Remove(item.InstanceId);
                _logger.LogWarning("Lost the lease on orchestration {InstanceId}; another worker will run this step.", item.InstanceId);
            }
        }
        catch (Exception ex)
        {
            _cache.Remove(item.InstanceId);
            _logger.LogError(ex, "Orchestration step for {InstanceId} could not be recorded; it will be retried.", item.InstanceId);
            try { await _store.AbandonOrchestrationAsync(item, WorkerId, TimeSpan.FromSeconds(1)); }
            catch (Exception abandonError) { _logger.LogError(abandonError, "Could not give back {InstanceId}; its lease will expire.", item.InstanceId); }
        }
        finally
        {
            Interlocked.Decrement(ref _activeOrchestrations);
            _orchestrationSlots.Release();
        }
    }

    private async Task<OrchestrationExecutor?> ReplayAsync(OrchestrationWorkItem item)
    {
        _registry.TryCreateOrchestrator(item.Name, _services, out var orchestrator);
        var executor = new OrchestrationExecutor(item.InstanceId, item.Name, item.ExecutionId, orchestrator, _loggerFactory, _options.DefaultActivityRetry);
        if (item.HistoryCount == 0) return executor;
        var history = await _store.GetHistoryAsync(item.InstanceId);
        if (history.Count != item.HistoryCount)
        {
            // The lease guarantees nobody else appends; a mismatch means the read raced a takeover. Try again later.
            await _store.AbandonOrchestrationAsync(item, WorkerId, TimeSpan.FromMilliseconds(200));
            return null;
        }
        executor.Replay(history);
        return executor;
    }

    private async Task RunActivityAsync(ActivityWorkItem item, CancellationToken stop)
    {
        Interlocked.Increment(ref _activeActivities);
        try
        {
            var result = await ExecuteActivityAsync(item, stop);
            if (result is not null) _results.Writer.TryWrite(new ActivityResult(item, result with { Timestamp = _clock.GetUtcNow().UtcDateTime }));
        }
        finally
        {
            Interlocked.Decrement(ref _activeActivities);
            _activitySlots.Release();
        }
    }

    /// <summary>Runs the activity; null when the worker is shutting down (the work is redone elsewhere).</summary>
    private async Task<HistoryEvent?> ExecuteActivityAsync(ActivityWorkItem item, CancellationToken stop)
    {
        using var timeout = _options.ActivityTimeout is { } limit ? new CancellationTokenSource(limit) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stop);
        try
        {
            if (!_registry.TryCreateActivity(item.Name, _services, out var activity))
            {
                return new TaskFailedEvent(item.TaskScheduledId, new TaskFailureDetails(typeof(InvalidOperationException).FullName!,
                    $"No activity named '{item.Name}' is registered with this worker."));
            }
            var input = JsonDataConverter.Deserialize(item.Input, activity.InputType);
            var context = new TaskActivityContext(item.Name, item.InstanceId, item.DequeueCount, linked.Token);
            var output = await activity.RunAsync(context, input).WaitAsync(linked.Token);
            return new TaskCompletedEvent(item.TaskScheduledId, JsonDataConverter.Serialize(output));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            var error = new TimeoutException($"Activity '{item.Name}' did not finish within the function timeout ({_options.ActivityTimeout}).");
            return new TaskFailedEvent(item.TaskScheduledId, TaskFailureDetails.FromException(error));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex)
        {
            return new TaskFailedEvent(item.TaskScheduledId, TaskFailureDetails.FromException(ex));
        }
    }

    // Results are written in batches: whatever finished while the previous batch was being written goes in the next.
    private async Task FlushActivityResultsAsync()
    {
        var reader = _results.Reader;
        var batch = new List<ActivityResult>();
        while (await reader.WaitToReadAsync())
        {
            while (batch.Count < 500 && reader.TryRead(out var result)) batch.Add(result);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await _store.CompleteActivitiesAsync(WorkerId, batch);
                    break;
                }
                catch (Exception ex) when (attempt < 30)
                {
                    _logger.LogError(ex, "Could not record {Count} activity results (attempt {Attempt}); retrying.", batch.Count, attempt);
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * attempt)));
                }
                catch (Exception ex)
                {
                    _logger.LogError(ex, "Giving up recording {Count} activity results; their leases will expire and the activities will run again.", batch.Count);
                    break;
                }
            }
            batch.Clear();
        }
    }

    private async Task RenewLeasesAsync(CancellationToken stop)
    {
        var interval = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks, _options.LeaseDuration.Ticks / 3));
        while (!stop.IsCancellationRequested)
        {
            await DelayQuietly(interval, stop);
            if (Volatile.Read(ref _activeOrchestrations) + Volatile.Read(ref _activeActivities) == 0) continue;
            try
            {
                await _store.RenewLeasesAsync(WorkerId, _options.LeaseDuration, CancellationToken.None);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Could not renew leases of worker {WorkerId}.", WorkerId);
            }
        }
    }

    /// <summary>Waits for one free slot, then takes every other free one too; 0 when stopping.</summary>
    private static async Task<int> TakeSlotsAsync(SemaphoreSlim slots, CancellationToken stop)
    {
        try
        {
            await slots.WaitAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        var taken = 1;
        while (slots.Wait(0)) taken++;
        return taken;
    }

    private async Task WaitForWorkQuietly(WorkKind kind, CancellationToken stop)
    {
        try
        {
            await _store.WaitForWorkAsync(kind, _options.MaxPollingInterval, stop);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Waiting for {Kind} work failed.", kind);
            await DelayQuietly(_options.MaxPollingInterval, stop);
        }
    }

    private static async Task DelayQuietly(TimeSpan delay, CancellationToken stop)
    {
        try { await Task.Delay(delay, stop); } catch (OperationCanceledException) { }
    }
}
