using DurableTask.AzureStorage;

namespace Pipeline.Host.Durable;

/// <summary>
/// Creates the Azure Storage task hub (queues, tables, lease blobs) if it does not exist, before the host serves
/// anything, and builds the gRPC server now: TaskHubGrpcServer starts its dispatchers from the application's
/// <c>ApplicationStarted</c>, so it must exist by then. A store that cannot be reached stops the host with a clear error.
/// </summary>
internal sealed class AzureStorageTaskHubStarter(AzureStorageOrchestrationService service, AzureStorageGrpcServer server, DurableHostOptions options,
    ILogger<AzureStorageTaskHubStarter> logger) : IHostedService
{
    /// <summary>How long creating the hub may take before the host gives up (the SDK retries unreachable endpoints for long).</summary>
    private static readonly TimeSpan CreateTimeout = TimeSpan.FromMinutes(2);

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _ = server;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await service.CreateIfNotExistsAsync().WaitAsync(CreateTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException(
                $"The azureStorage task hub '{options.HubName}' could not be created at {options.DescribeLocation()}: {(e is TimeoutException ? $"no answer within {CreateTimeout.TotalSeconds:0} s" : e.Message)}. " +
                "Is the storage account (or Azurite: infra/local/azurite.sh start) reachable with that connection string?", e);
        }
        logger.LogInformation("Durable store: azureStorage task hub {Hub} at {Location} ready in {Elapsed} ms ({Partitions} partitions)",
            options.HubName, options.DescribeLocation(), clock.ElapsedMilliseconds, options.PartitionCount);
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
