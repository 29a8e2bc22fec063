using Pipeline.Durable.Store;

namespace Pipeline.Durable.Sidecar;

/// <summary>Health and idleness from the store and the dispatcher.</summary>
internal sealed class DurableSidecarMonitor(IDurableStore store, WorkItemDispatcher dispatcher, SidecarReadiness readiness) : IDurableSidecarMonitor
{
    public async Task<SidecarHealth> GetHealthAsync(CancellationToken ct = default)
    {
        if (!readiness.IsReady) return new SidecarHealth(false, store.Kind, 0, 0, 0, 0, readiness.Problem ?? "The task hub store is starting.");
        var health = await store.GetHealthAsync(ct).ConfigureAwait(false);
        return new SidecarHealth(health.Reachable, store.Kind, health.PendingOrchestrationMessages, health.PendingActivities, health.ScheduledTimers,
            dispatcher.OutstandingCount, health.Error);
    }

    public async Task<bool> IsIdleAsync(CancellationToken ct = default)
    {
        await readiness.WaitAsync(ct).ConfigureAwait(false);
        return dispatcher.OutstandingCount == 0 && await store.IsIdleAsync(ct).ConfigureAwait(false) && dispatcher.OutstandingCount == 0;
    }
}
