using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Durable.Sidecar;
using Pipeline.Durable.Sidecar.InProcess;
using Pipeline.Durable.Store;
using Pipeline.Durable.Store.Postgres;
using Pipeline.Durable.Store.Sqlite;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Durable Task sidecar.</summary>
public static class DurableSidecarServiceCollectionExtensions
{
    /// <summary>
    /// Adds the sidecar (gRPC service, task hub store, work-item dispatcher, <see cref="IDurableSidecarMonitor"/>) and a
    /// hosted service that initializes the store at start. Map it with <c>endpoints.MapDurableSidecar()</c> on a
    /// loopback-only HTTP/2 (h2c) endpoint: the protocol has no authentication of its own.
    /// </summary>
    public static IServiceCollection AddDurableSidecar(this IServiceCollection services, Action<DurableSidecarOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var optionsBuilder = services.AddOptions<DurableSidecarOptions>();
        if (configure is not null) optionsBuilder.Configure(configure);
        optionsBuilder.Validate(o =>
        {
            o.Validate();
            return true;
        }).ValidateOnStart();

        services.AddGrpc().AddServiceOptions<DurableTaskSidecarService>(o =>
        {
            // Completions of large fan-outs carry many actions; the SDK itself keeps them under 4 MB, this is headroom.
            o.MaxReceiveMessageSize = 16 * 1024 * 1024;
            o.MaxSendMessageSize = null;
            o.Interceptors.Add<SidecarErrorInterceptor>();
        });
        // Singletons: the gRPC service and its interceptor hold no per-call state, so they are not built for every call.
        services.AddSingleton<DurableTaskSidecarService>();
        services.AddSingleton<SidecarErrorInterceptor>();
        // A worker in this process (the host's durable bridge) takes and completes work items by direct calls.
        services.AddSingleton(sp => new InProcessSidecar(sp.GetRequiredService<DurableTaskSidecarService>(), sp.GetRequiredService<SidecarErrorInterceptor>()));
        services.AddSingleton<SidecarReadiness>();
        services.AddSingleton<IDurableStore>(sp => CreateStore(sp.GetRequiredService<IOptions<DurableSidecarOptions>>().Value, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => new WorkItemDispatcher(sp.GetRequiredService<IDurableStore>(), sp.GetRequiredService<IOptions<DurableSidecarOptions>>().Value,
            sp.GetRequiredService<ILogger<WorkItemDispatcher>>()));
        services.AddSingleton<InstanceWaiters>();
        services.AddSingleton<IDurableSidecarMonitor, DurableSidecarMonitor>();
        services.AddHostedService<DurableSidecarHostedService>();
        return services;
    }

    private static IDurableStore CreateStore(DurableSidecarOptions options, ILoggerFactory loggers) => options.Store switch
    {
        SqliteTaskHub sqlite => new SqliteDurableStore(sqlite.Path, options.TimeProvider, loggers.CreateLogger<SqliteDurableStore>()),
        PostgresTaskHub postgres => new PostgresDurableStore(postgres.ConnectionString, postgres.Schema, loggers.CreateLogger<PostgresDurableStore>()),
        _ => throw new InvalidOperationException($"Unknown task hub store {options.Store?.GetType().Name}."),
    };
}
