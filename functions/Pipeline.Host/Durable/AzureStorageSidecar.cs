using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Pipeline.Host.Hosting;

namespace Pipeline.Host.Durable;

/// <summary>
/// The <c>azureStorage</c> provider: Microsoft's engine instead of ours. <see cref="AzureStorageGrpcServer"/>
/// (Microsoft's TaskHubGrpcServer, in dispatcher mode) serves the same sidecar contract on the same loopback gRPC
/// endpoint, over <see cref="AzureStorageOrchestrationService"/> (DurableTask.AzureStorage: Azure Storage or
/// Azurite), so the bridge, the management API and the <c>durableClient</c> binding are unchanged. The task hub is
/// created at start (<see cref="AzureStorageTaskHubStarter"/>).
/// </summary>
internal static class AzureStorageSidecar
{
    /// <summary>Registers the orchestration service, the gRPC server and the task hub starter.</summary>
    /// <exception cref="InvalidOperationException">The connection string is not one Azure Storage accepts.</exception>
    public static void Add(IServiceCollection services, DurableHostOptions options)
    {
        StorageAccountClientProvider account;
        try
        {
            account = new StorageAccountClientProvider(options.Location);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"The durable store is azureStorage but its connection string is not valid ({e.Message}). Set {DurableHostOptions.DefaultStorageConnectionName} " +
                "(or the setting named by extensions.durableTask.storageProvider.connectionStringName) to an Azure Storage connection string, e.g. UseDevelopmentStorage=true for Azurite.", e);
        }

        services.AddSingleton(sp => new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = account,
            TaskHubName = options.HubName,
            PartitionCount = options.PartitionCount,
            MaxQueuePollingInterval = options.MaxPollingInterval,
            // host.json's limits, as the Durable extension maps them (the bridge's GetWorkItems limits are not read by
            // TaskHubGrpcServer: its dispatchers take these from the orchestration service).
            MaxConcurrentTaskOrchestrationWorkItems = options.MaxConcurrentOrchestratorFunctions,
            MaxConcurrentTaskActivityWorkItems = options.MaxConcurrentActivityFunctions,
            LoggerFactory = sp.GetRequiredService<ILoggerFactory>(),
        }));
        // DurableTask.AzureStorage logs every queue poll at Information; keep its warnings and errors (as the Functions
        // host's default host.json logging does). Configuration (Logging:LogLevel:DurableTask.AzureStorage) can lower it.
        services.AddLogging(b => b.AddFilter("DurableTask.AzureStorage", LogLevel.Warning).AddFilter("DurableTask.Core", LogLevel.Warning));
        services.AddSingleton<IOrchestrationService>(sp => sp.GetRequiredService<AzureStorageOrchestrationService>());
        services.AddSingleton<IOrchestrationServiceClient>(sp => sp.GetRequiredService<AzureStorageOrchestrationService>());
        // Dispatcher mode: the server pulls work items from the service and hands them out over GetWorkItems.
        services.Configure<TaskHubGrpcServerOptions>(o => o.Mode = TaskHubGrpcServerMode.ApiServerAndDispatcher);
        services.AddGrpc().AddServiceOptions<AzureStorageGrpcServer>(o =>
        {
            // As for our sidecar: completions of large fan-outs carry many actions.
            o.MaxReceiveMessageSize = 16 * 1024 * 1024;
            o.MaxSendMessageSize = null;
        });
        // One instance: it holds the work-item stream and the pending executions.
        services.AddSingleton<AzureStorageGrpcServer>();
        services.AddHostedService<AzureStorageTaskHubStarter>();
    }

    /// <summary>Maps the server on the loopback endpoint only (the protocol has no authentication).</summary>
    public static void Map(WebApplication app) => app.MapGrpcService<AzureStorageGrpcServer>().WithMetadata(LoopbackOnlyEndpoint.Instance);
}
