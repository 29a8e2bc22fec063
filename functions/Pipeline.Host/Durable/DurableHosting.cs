using Microsoft.Extensions.Options;
using Pipeline.Durable.Sidecar;
using Pipeline.Host.Hosting;
using Pipeline.Host.Worker;

namespace Pipeline.Host.Durable;

/// <summary>
/// The host's durable part: the sidecar chosen by host.json (ours on SQLite or PostgreSQL, or Microsoft's
/// DurableTask.AzureStorage behind TaskHubGrpcServer) on the loopback gRPC endpoint, the bridge to the worker's
/// orchestration and activity triggers, the <c>durableClient</c> binding, the management API and the host status.
/// </summary>
public static class DurableHosting
{
    /// <summary>Registers everything; <paramref name="options"/> come from <see cref="DurableHostOptions.Read"/>.</summary>
    public static void Add(IServiceCollection services, DurableHostOptions options)
    {
        services.AddSingleton(options);
        if (options.Store == DurableStoreKind.AzureStorage)
        {
            AzureStorageSidecar.Add(services, options);
        }
        else
        {
            services.AddDurableSidecar(o =>
            {
                o.Store = options.Store == DurableStoreKind.Postgres
                    ? new PostgresTaskHub(options.Location, options.HubName.ToLowerInvariant())
                    : new SqliteTaskHub(options.Location);
                o.LeaseDuration = options.LeaseDuration;
                o.MaxPollingInterval = options.MaxPollingInterval;
                o.MaxAttempts = options.MaxWorkItemAttempts;
            });
            // Timestamps, timers and leases follow the host's clock (FunctionsHostApplication registers it: a test clock
            // when PIPELINE_CLOCKFILE is set). Microsoft's engine (azureStorage) keeps the system clock.
            services.AddOptions<DurableSidecarOptions>().Configure<TimeProvider>((o, time) => o.TimeProvider = time);
        }
        services.AddSingleton<SidecarClient>();
        services.AddSingleton<NonDurableAwaitProbe>();
        services.AddSingleton<DurableBridge>();
        services.AddHostedService(sp => sp.GetRequiredService<DurableBridge>());
        services.AddInputBindingProvider<DurableClientBindingProvider>();
        services.AddSingleton<DurableStatus>();
    }

    /// <summary>Maps the sidecar (loopback only), the management API and the host status.</summary>
    public static void Map(WebApplication app)
    {
        var options = app.Services.GetRequiredService<DurableHostOptions>();
        if (options.Store == DurableStoreKind.AzureStorage) AzureStorageSidecar.Map(app);
        else app.MapDurableSidecar().WithMetadata(LoopbackOnlyEndpoint.Instance);
        DurableManagementApi.Map(app);
        HostStatusEndpoint.Map(app);
    }
}
