namespace Pipeline.Durable;

/// <summary>How a worker runs work; host.json <c>extensions.durableTask</c> maps onto this.</summary>
public sealed record DurableTaskWorkerOptions
{
    /// <summary>Orchestration steps run at once by this worker.</summary>
    public int MaxConcurrentOrchestrations { get; init; } = 8;

    /// <summary>Activities run at once by this worker.</summary>
    public int MaxConcurrentActivities { get; init; } = 16;

    /// <summary>How long a lease lasts; a crashed worker's work is handed out again after this. Renewed while work runs.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait between store polls when no wake-up arrives (due timers are found by polling).</summary>
    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Retry policy for activity calls made without one; null for a single attempt.</summary>
    public RetryPolicy? DefaultActivityRetry { get; init; }

    /// <summary>An activity running longer is cancelled and fails with a <see cref="TimeoutException"/> (host.json <c>functionTimeout</c>).</summary>
    public TimeSpan? ActivityTimeout { get; init; }

    /// <summary>Orchestrations kept in memory between steps so they need not be replayed; bounded to keep memory bounded.</summary>
    public int MaxCachedOrchestrations { get; init; } = 5000;

    /// <summary>Inbox messages one step takes at most (fan-in of many results is taken in batches).</summary>
    public int MaxMessagesPerStep { get; init; } = 1000;

    /// <summary>This worker's id in leases; defaults to host:pid:random.</summary>
    public string? WorkerId { get; init; }
}

/// <summary>What a worker is doing, for health checks.</summary>
public sealed record DurableTaskWorkerStatus(string WorkerId, bool Running, int ActiveOrchestrations, int MaxConcurrentOrchestrations, int ActiveActivities, int MaxConcurrentActivities);
