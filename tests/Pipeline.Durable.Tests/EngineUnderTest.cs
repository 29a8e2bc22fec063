using Microsoft.Extensions.Logging;
using Pipeline.Durable.Storage;
using Pipeline.Testing;

namespace Pipeline.Durable.Tests;

/// <summary>
/// One store with its registry, client and (restartable) worker, as a test drives them. Every wait has a
/// timeout, so a broken engine fails the test instead of hanging the run.
/// </summary>
public sealed class EngineUnderTest : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly IServiceProvider _services = new NoServices();
    private readonly ILoggerFactory? _loggerFactory;
    private readonly List<DurableTaskWorker> _workers = [];

    public EngineUnderTest(IOrchestrationStore store, TimeProvider clock, ILoggerFactory? loggerFactory)
    {
        Store = store;
        Clock = clock;
        _loggerFactory = loggerFactory;
        Client = new DurableTaskClient(store, clock);
    }

    public IOrchestrationStore Store { get; }

    public TimeProvider Clock { get; }

    /// <summary>The clock, when the test asked for a simulated one.</summary>
    public ManualClock ManualClock => Clock as ManualClock ?? throw new InvalidOperationException("This engine runs on the system clock.");

    public DurableTaskRegistry Registry { get; } = new();

    public DurableTaskClient Client { get; }

    /// <summary>Fast polling for tests: due timers and new work are found within 50 ms.</summary>
    public static DurableTaskWorkerOptions FastOptions { get; } = new() { MaxPollingInterval = TimeSpan.FromMilliseconds(50) };

    /// <summary>Starts a new worker (with its own, empty executor cache) on the store.</summary>
    public async Task<DurableTaskWorker> StartWorkerAsync(DurableTaskWorkerOptions? options = null)
    {
        var worker = new DurableTaskWorker(Store, Registry, _services, options ?? FastOptions, _loggerFactory, Clock);
        await worker.StartAsync();
        _workers.Add(worker);
        return worker;
    }

    /// <summary>Stops every worker gracefully: running steps and activities finish and are recorded.</summary>
    public async Task StopWorkersAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        foreach (var worker in _workers) await worker.StopAsync(cts.Token);
        _workers.Clear();
    }

    /// <summary>Stops the running workers and starts a fresh one, which must replay instances from history.</summary>
    public async Task<DurableTaskWorker> RestartWorkerAsync(DurableTaskWorkerOptions? options = null)
    {
        await StopWorkersAsync();
        return await StartWorkerAsync(options);
    }

    public async Task<OrchestrationMetadata> WaitForCompletionAsync(string instanceId, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            return await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"Instance {instanceId} did not finish within {timeout ?? DefaultTimeout}; {await DescribeAsync(instanceId)}");
        }
    }

    public async Task<OrchestrationMetadata> WaitForStatusAsync(string instanceId, OrchestrationRuntimeStatus status, TimeSpan? timeout = null)
    {
        OrchestrationMetadata? last = null;
        await WaitUntilAsync(async () =>
        {
            last = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true);
            return last?.RuntimeStatus == status;
        }, timeout, () => $"instance {instanceId} to be {status} (it is {last?.RuntimeStatus.ToString() ?? "missing"})");
        return last!;
    }

    /// <summary>Waits until the instance's history satisfies <paramref name="condition"/> and returns that history.</summary>
    public async Task<IReadOnlyList<HistoryEvent>> WaitForHistoryAsync(string instanceId, Func<IReadOnlyList<HistoryEvent>, bool> condition,
        string what, TimeSpan? timeout = null)
    {
        IReadOnlyList<HistoryEvent> history = [];
        await WaitUntilAsync(async () =>
        {
            history = await Client.GetHistoryAsync(instanceId);
            return condition(history);
        }, timeout, () => $"history of {instanceId} to show {what}; it has: {string.Join(", ", history.Select(e => e.Kind))}");
        return history;
    }

    /// <summary>Waits until the instance has created <paramref name="count"/> durable timers and returns the last one.</summary>
    public async Task<TimerCreatedEvent> WaitForTimerAsync(string instanceId, int count = 1)
    {
        var history = await WaitForHistoryAsync(instanceId, h => h.OfType<TimerCreatedEvent>().Count() >= count, $"{count} timer(s) created");
        return history.OfType<TimerCreatedEvent>().ElementAt(count - 1);
    }

    /// <summary>Waits until the instance has created its <paramref name="count"/>th timer, then moves the clock to when it fires.</summary>
    public async Task<TimerCreatedEvent> FireTimerAsync(string instanceId, int count = 1)
    {
        var timer = await WaitForTimerAsync(instanceId, count);
        ManualClock.AdvanceTo(timer.FireAt);
        return timer;
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? timeout, Func<string> describe)
    {
        var limit = timeout ?? DefaultTimeout;
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (started.Elapsed > limit) throw new TimeoutException($"Gave up after {limit} waiting for {describe()}.");
            await Task.Delay(20);
        }
    }

    public static async Task<T> WithinTimeout<T>(Task<T> task, string what)
    {
        try
        {
            return await task.WaitAsync(DefaultTimeout);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new TimeoutException($"Gave up after {DefaultTimeout} waiting for {what}.");
        }
    }

    public static async Task WithinTimeout(Task task, string what)
    {
        try
        {
            await task.WaitAsync(DefaultTimeout);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new TimeoutException($"Gave up after {DefaultTimeout} waiting for {what}.");
        }
    }

    private async Task<string> DescribeAsync(string instanceId)
    {
        var state = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true);
        var history = await Client.GetHistoryAsync(instanceId);
        return $"status {state?.RuntimeStatus}, failure {state?.FailureDetails}, history: {string.Join(", ", history.Select(e => e.Kind))}";
    }

    public async ValueTask DisposeAsync()
    {
        try { await StopWorkersAsync(TimeSpan.FromSeconds(10)); }
        catch (OperationCanceledException) { } // a worker stuck in a test's activity: its leases simply expire
        finally { await Store.DisposeAsync(); }
    }

    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
