namespace Pipeline.Host.Hosting;

/// <summary>Maps gRPC services on the host's loopback h2c endpoint (<see cref="RpcEndpoint"/>) only.</summary>
public static class RpcEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <typeparamref name="TService"/> so that it answers only on the loopback endpoint: a request for it on a
    /// public listener gets 404. Use for every in-process gRPC service (e.g. the durable sidecar).
    /// </summary>
    public static GrpcServiceEndpointConventionBuilder MapLoopbackGrpcService<TService>(this IEndpointRouteBuilder endpoints) where TService : class
        => endpoints.MapGrpcService<TService>().WithMetadata(LoopbackOnlyEndpoint.Instance);
}
