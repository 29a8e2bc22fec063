using Grpc.Core;
using Pipeline.Durable.Sidecar;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Host.Durable;

/// <summary>
/// The durable part's state for <c>GET /admin/host/status</c>: the store, whether it answers, the backlog (our sidecar
/// only: null for azureStorage, whose engine does not report one), the bridge.
/// </summary>
internal sealed class DurableStatus(DurableHostOptions options, SidecarClient sidecar, DurableBridge bridge, NonDurableAwaitProbe probe, IServiceProvider services)
{
    /// <summary>A snapshot; never throws for an unreachable store (it reports it).</summary>
    public async Task<object> GetAsync(CancellationToken ct)
    {
        var store = options.Store switch
        {
            DurableStoreKind.Postgres => "postgres",
            DurableStoreKind.AzureStorage => "azureStorage",
            _ => "sqlite",
        };
        var monitor = services.GetService<IDurableSidecarMonitor>();
        bool reachable;
        string? error = null;
        SidecarHealth? health = null;
        if (monitor is not null)
        {
            health = await monitor.GetHealthAsync(ct).ConfigureAwait(false);
            reachable = health.Reachable;
            error = health.Error;
        }
        else
        {
            // Microsoft's engine (azureStorage): no backlog figures; reachable when the store answers a read through the
            // sidecar (Hello would not touch the store).
            try
            {
                await sidecar.Client.GetInstanceAsync(new P.GetInstanceRequest { InstanceId = "host-status-probe" },
                    deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: ct).ResponseAsync.ConfigureAwait(false);
                reachable = true;
            }
            catch (RpcException e)
            {
                reachable = false;
                error = e.Status.Detail;
            }
        }
        return new
        {
            store,
            hubName = options.HubName,
            location = options.DescribeLocation(),
            reachable,
            error,
            pendingOrchestrationMessages = health?.PendingOrchestrationMessages,
            pendingActivities = health?.PendingActivities,
            scheduledTimers = health?.ScheduledTimers,
            outstandingWorkItems = health?.OutstandingWorkItems,
            bridge = new { connectedGeneration = bridge.ConnectedGeneration, streamsOpened = bridge.StreamsOpened },
            nonDurableAwaitProbes = probe.Raised,
            publicOrchestrations = options.PublicOrchestrations.Order(StringComparer.Ordinal).ToList(),
        };
    }
}
