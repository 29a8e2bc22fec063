using Pipeline.Host.Hosting;

namespace Pipeline.Host.Http;

/// <summary>
/// Keeps the two kinds of listener apart: endpoints marked <see cref="LoopbackOnlyEndpoint"/> (FunctionRpc, the
/// durable sidecar) answer only on the loopback <see cref="RpcEndpoint"/>, and nothing else answers there. Decided by
/// the connection's local port, which a client cannot fake (a Host header it could).
/// </summary>
internal sealed class ListenerIsolationMiddleware(RequestDelegate next, RpcEndpoint rpc)
{
    /// <summary>Passes the request on, or answers 404 when it reached the wrong listener.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        var onRpc = rpc.Carries(context);
        var loopbackOnly = context.GetEndpoint()?.Metadata.GetMetadata<LoopbackOnlyEndpoint>() is not null;
        if (onRpc == loopbackOnly || (!onRpc && context.GetEndpoint() is null)) return next(context);
        context.SetEndpoint(null);
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
