using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Pipeline.Durable.Sidecar;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Durable Task sidecar's gRPC service.</summary>
public static class DurableSidecarEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>TaskHubSidecarService</c> (registered with <c>services.AddDurableSidecar(…)</c>). Serve it on a loopback-only
    /// HTTP/2 endpoint; restrict it further with the returned builder (e.g. <c>RequireHost("127.0.0.1:port")</c>).
    /// </summary>
    public static GrpcServiceEndpointConventionBuilder MapDurableSidecar(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGrpcService<DurableTaskSidecarService>();
    }
}
