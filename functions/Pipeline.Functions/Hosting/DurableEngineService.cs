using Pipeline.Durable;
using Pipeline.Durable.Storage;

namespace Pipeline.Functions.Hosting;

/// <summary>
/// Initialises the store and runs the worker for the app's lifetime. Hosted services start before the
/// server listens, so no request reaches an uninitialised store; on shutdown the worker stops taking work
/// and whatever it leaves unfinished is picked up again after its leases end.
/// </summary>
internal sealed class DurableEngineService(
    IOrchestrationStore store,
    DurableTaskWorker worker,
    DurableStoreSettings storeSettings,
    ILogger<DurableEngineService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.InitializeAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"The durable store ({storeSettings.Describe()}) could not be initialised: {e.Message}", e);
        }
        await worker.StartAsync(cancellationToken);
        logger.LogInformation("Durable engine started on {Store}", storeSettings.Describe());
    }

    public Task StopAsync(CancellationToken cancellationToken) => worker.StopAsync(cancellationToken);
}
