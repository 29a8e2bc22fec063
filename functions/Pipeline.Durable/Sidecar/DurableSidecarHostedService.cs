using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Durable.Store;

namespace Pipeline.Durable.Sidecar;

/// <summary>Initializes the store (schema migrations) at host start and starts lease renewal; releases outstanding work at stop.</summary>
internal sealed class DurableSidecarHostedService(IDurableStore store, WorkItemDispatcher dispatcher, SidecarReadiness readiness,
    ILogger<DurableSidecarHostedService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogCritical(e, "The durable task hub store ({Kind}) could not start.", store.Kind);
            readiness.SetFailed(e);
            throw;
        }
        dispatcher.Start();
        readiness.SetReady();
        logger.LogInformation("Durable sidecar ready on the {Kind} task hub store (lease owner {Owner}).", store.Kind, dispatcher.Owner);
    }

    public Task StopAsync(CancellationToken cancellationToken) => dispatcher.DisposeAsync().AsTask();
}
