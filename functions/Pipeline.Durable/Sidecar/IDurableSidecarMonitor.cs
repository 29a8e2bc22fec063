namespace Pipeline.Durable.Sidecar;

/// <summary>What a host needs to watch the sidecar: health for <c>/api/health</c>, idleness for a test clock that
/// advances time only when nothing can run.</summary>
public interface IDurableSidecarMonitor
{
    /// <summary>Reachability of the store and the backlog. Never throws for a store failure: it reports it.</summary>
    Task<SidecarHealth> GetHealthAsync(CancellationToken ct = default);

    /// <summary>True when nothing can be handed out now, nothing is leased in the store, and no work item is outstanding
    /// at a worker. Timers due later do not count: they are what a test clock advances to.</summary>
    Task<bool> IsIdleAsync(CancellationToken ct = default);
}

/// <summary>The sidecar's health.</summary>
/// <param name="Reachable">The store answered.</param>
/// <param name="Store">"sqlite" or "postgres".</param>
/// <param name="PendingOrchestrationMessages">Inbox messages visible now.</param>
/// <param name="PendingActivities">Activity calls waiting or running.</param>
/// <param name="ScheduledTimers">Inbox messages due later (timers, scheduled starts).</param>
/// <param name="OutstandingWorkItems">Work items handed to workers by this sidecar and not completed yet.</param>
/// <param name="Error">What went wrong when not reachable.</param>
public sealed record SidecarHealth(bool Reachable, string Store, long PendingOrchestrationMessages, long PendingActivities, long ScheduledTimers,
    int OutstandingWorkItems, string? Error = null);
