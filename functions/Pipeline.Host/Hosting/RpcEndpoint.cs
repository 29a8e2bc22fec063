using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Pipeline.Host.Hosting;

/// <summary>
/// The host's private endpoint: HTTP/2 without TLS (h2c) on 127.0.0.1 at a port chosen at start. Workers dial it for
/// FunctionRpc; other in-process gRPC services (the durable sidecar) are mapped on it with
/// <see cref="RpcEndpointRouteBuilderExtensions.MapLoopbackGrpcService{TService}"/>. Requests to it reach only
/// endpoints mapped that way, and those are never reachable through the public listeners.
/// </summary>
public sealed class RpcEndpoint
{
    private ListenOptions? _listen;

    /// <summary>The bound port; throws before the server has started.</summary>
    public int Port => (_listen?.IPEndPoint is { Port: > 0 } endpoint) ? endpoint.Port : throw new InvalidOperationException("The loopback gRPC endpoint is not bound yet (the server has not started).");

    /// <summary>Its base address, e.g. <c>http://127.0.0.1:41234/</c>; throws before the server has started.</summary>
    public Uri Address => new($"http://127.0.0.1:{Port}/");

    /// <summary>True once the server has bound the endpoint.</summary>
    public bool IsBound => _listen?.IPEndPoint is { Port: > 0 };

    /// <summary>True when <paramref name="context"/> arrived on this endpoint (by local port: the public listeners cannot share it).</summary>
    public bool Carries(HttpContext context) => IsBound && context.Connection.LocalPort == Port && context.Connection.LocalIpAddress is { } local && IPAddress.IsLoopback(local);

    /// <summary>Adds the endpoint to Kestrel: loopback only, HTTP/2 only, port chosen by the OS.</summary>
    internal void Listen(KestrelServerOptions kestrel)
        => kestrel.Listen(IPAddress.Loopback, 0, options =>
        {
            options.Protocols = HttpProtocols.Http2;
            _listen = options;
        });
}
