using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Durable;
using Pipeline.Durable.Storage;

namespace Pipeline.Functions.Hosting;

/// <summary>Puts the durable engine in the app: store, registry, client, and a worker that runs for the app's lifetime.</summary>
public static class DurableEngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers the store (one per process, initialised before the app takes requests), the
    /// <see cref="DurableTaskRegistry"/> built from every <see cref="AddDurableTasks"/> call, a
    /// <see cref="DurableTaskClient"/>, and the <see cref="DurableTaskWorker"/> with options from host.json.
    /// </summary>
    public static IServiceCollection AddDurableEngine(this IServiceCollection services, PipelineHostOptions hostOptions, DurableStoreSettings storeSettings)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(storeSettings);
        services.AddSingleton(hostOptions.ToWorkerOptions());
        services.AddSingleton<IOrchestrationStore>(sp => storeSettings.CreateStore(sp.GetRequiredService<TimeProvider>(), hostOptions.DurableTask.HubName));
        services.AddSingleton(sp =>
        {
            var registry = new DurableTaskRegistry();
            foreach (var registration in sp.GetServices<DurableTaskRegistration>()) registration.Register(registry);
            return registry;
        });
        services.AddSingleton(sp => new DurableTaskClient(sp.GetRequiredService<IOrchestrationStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new DurableTaskWorker(
            sp.GetRequiredService<IOrchestrationStore>(),
            sp.GetRequiredService<DurableTaskRegistry>(),
            sp,
            sp.GetRequiredService<DurableTaskWorkerOptions>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<DurableEngineService>();
        return services;
    }

    /// <summary>Adds orchestrators and activities to the app's registry (each feature calls this for its own).</summary>
    public static IServiceCollection AddDurableTasks(this IServiceCollection services, Action<DurableTaskRegistry> register)
        => services.AddSingleton(new DurableTaskRegistration(register));
}

/// <summary>One feature's contribution to the <see cref="DurableTaskRegistry"/>.</summary>
/// <param name="Register">Adds the feature's orchestrators and activities.</param>
public sealed record DurableTaskRegistration(Action<DurableTaskRegistry> Register);
