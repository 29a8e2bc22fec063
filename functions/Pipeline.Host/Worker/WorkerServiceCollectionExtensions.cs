namespace Pipeline.Host.Worker;

/// <summary>Registration of the extension points of the worker side.</summary>
public static class WorkerServiceCollectionExtensions
{
    /// <summary>Registers an <see cref="IInputBindingProvider"/> (a singleton) for its binding type.</summary>
    public static IServiceCollection AddInputBindingProvider<TProvider>(this IServiceCollection services) where TProvider : class, IInputBindingProvider
        => services.AddSingleton<IInputBindingProvider, TProvider>();
}
