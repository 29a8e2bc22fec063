namespace Pipeline.Host.Durable;

/// <summary>The <c>azureStorage</c> provider: Microsoft's TaskHubGrpcServer over DurableTask.AzureStorage.</summary>
internal static class AzureStorageSidecar
{
    public static void Add(IServiceCollection services, DurableHostOptions options)
        => throw new InvalidOperationException("extensions.durableTask.storageProvider.type azureStorage is not available yet.");

    public static void Map(WebApplication app)
    {
    }
}
