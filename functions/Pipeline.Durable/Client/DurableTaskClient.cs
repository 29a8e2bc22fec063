using Pipeline.Durable.Storage;

namespace Pipeline.Durable;

/// <summary>
/// Starts, signals, inspects and manages orchestration instances. Works against the store, so any process
/// sharing the store (PostgreSQL) can use it, with or without a worker.
/// </summary>
public sealed class DurableTaskClient(IOrchestrationStore store, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _clock = timeProvider ?? TimeProvider.System;

    /// <summary>The store this client talks to.</summary>
    public IOrchestrationStore Store => store;

    /// <summary>
    /// Schedules a new instance and returns its id. The instance starts as soon as a worker is free.
    /// Reusing the id of a finished instance replaces it; of an active one throws <see cref="OrchestrationAlreadyExistsException"/>.
    /// </summary>
    public async Task<string> ScheduleNewOrchestrationInstanceAsync(string orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orchestratorName);
        var instanceId = options?.InstanceId ?? Guid.NewGuid().ToString("N");
        if (instanceId.Length is 0 or > 256) throw new ArgumentException("Instance ids are 1 to 256 characters long.", nameof(options));
        await store.CreateInstanceAsync(new NewOrchestrationInstance(
            instanceId, orchestratorName, JsonDataConverter.Serialize(input), Guid.NewGuid().ToString("N"), _clock.GetUtcNow().UtcDateTime), ct);
        return instanceId;
    }

    /// <summary>
    /// Raises an external event. It is kept until the orchestration waits for it, even if it is not waiting yet.
    /// Throws <see cref="OrchestrationNotFoundException"/> or <see cref="OrchestrationFinishedException"/>.
    /// </summary>
    public Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        return SendAsync(instanceId, new EventRaisedEvent(eventName, JsonDataConverter.Serialize(eventPayload)), ct);
    }

    /// <summary>Stops an instance; its status becomes Terminated with <paramref name="reason"/> as output.</summary>
    public Task TerminateInstanceAsync(string instanceId, string? reason = null, CancellationToken ct = default)
        => SendAsync(instanceId, new ExecutionTerminatedEvent(reason), ct);

    /// <summary>Pauses an instance: it records nothing until resumed (messages wait in its inbox).</summary>
    public Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken ct = default)
        => SendAsync(instanceId, new ExecutionSuspendedEvent(reason), ct);

    /// <summary>Resumes a suspended instance.</summary>
    public Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken ct = default)
        => SendAsync(instanceId, new ExecutionResumedEvent(reason), ct);

    /// <summary>The instance's state, or null.</summary>
    public Task<OrchestrationMetadata?> GetInstanceAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken ct = default)
        => store.GetInstanceAsync(instanceId, getInputsAndOutputs, ct);

    /// <summary>One page of instances matching <paramref name="query"/>.</summary>
    public Task<OrchestrationQueryResult> GetInstancesPageAsync(OrchestrationQuery query, CancellationToken ct = default)
        => store.QueryInstancesAsync(query, ct);

    /// <summary>All instances matching <paramref name="query"/>, page by page.</summary>
    public async IAsyncEnumerable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? query = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        query ??= new OrchestrationQuery();
        while (true)
        {
            var page = await store.QueryInstancesAsync(query, ct);
            foreach (var instance in page.Instances) yield return instance;
            if (page.ContinuationToken is null) yield break;
            query = query with { ContinuationToken = page.ContinuationToken };
        }
    }

    /// <summary>The current execution's history.</summary>
    public Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string instanceId, CancellationToken ct = default)
        => store.GetHistoryAsync(instanceId, ct);

    /// <summary>Waits until the instance is Completed, Failed or Terminated.</summary>
    public Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken ct = default)
        => WaitForAsync(instanceId, getInputsAndOutputs, m => m.IsCompleted, ct);

    /// <summary>Waits until the instance has left Pending.</summary>
    public Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken ct = default)
        => WaitForAsync(instanceId, getInputsAndOutputs, m => m.RuntimeStatus != OrchestrationRuntimeStatus.Pending, ct);

    /// <summary>Deletes a finished instance and its history. False when there was none; throws when it is still active.</summary>
    public Task<bool> PurgeInstanceAsync(string instanceId, CancellationToken ct = default)
        => store.PurgeInstanceAsync(instanceId, ct);

    private async Task SendAsync(string instanceId, HistoryEvent message, CancellationToken ct)
    {
        switch (await store.SendMessageAsync(instanceId, message with { Timestamp = _clock.GetUtcNow().UtcDateTime }, ct))
        {
            case SendResult.NotFound: throw new OrchestrationNotFoundException(instanceId);
            case SendResult.AlreadyFinished: throw new OrchestrationFinishedException(instanceId);
        }
    }

    private async Task<OrchestrationMetadata> WaitForAsync(string instanceId, bool io, Func<OrchestrationMetadata, bool> done, CancellationToken ct)
    {
        // Polling with a short, growing interval: cheap for the store, fast enough for tests and callers.
        var delay = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            var state = await store.GetInstanceAsync(instanceId, io, ct) ?? throw new OrchestrationNotFoundException(instanceId);
            if (done(state)) return state;
            await Task.Delay(delay, ct);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 1.5, 250));
        }
    }
}
