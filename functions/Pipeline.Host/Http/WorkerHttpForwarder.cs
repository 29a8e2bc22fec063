using System.Net;
using Pipeline.Host.Hosting;
using Yarp.ReverseProxy.Forwarder;

namespace Pipeline.Host.Http;

/// <summary>
/// Forwards requests to the worker's loopback listener with YARP, as Microsoft's host does (DefaultHttpProxyService):
/// headers, client address (X-Forwarded-*) and streamed bodies both ways; nothing is buffered, no cookies, redirects,
/// proxies or decompression in between.
/// </summary>
internal sealed class WorkerHttpForwarder : IDisposable
{
    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _invoker;
    private readonly ForwarderRequestConfig _config;

    public WorkerHttpForwarder(IHttpForwarder forwarder, FunctionsHostOptions options, ILogger<WorkerHttpForwarder> logger)
    {
        _forwarder = forwarder;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        _invoker = new HttpMessageInvoker(new ConnectRetryHandler(handler, logger), disposeHandler: true);
        _config = new ForwarderRequestConfig
        {
            // The function's own timeout governs; YARP's idle timeout must not cut a slow function off first.
            ActivityTimeout = options.FunctionTimeout is { } timeout ? timeout + TimeSpan.FromMinutes(1) : Timeout.InfiniteTimeSpan,
            // The worker's cleartext listener speaks HTTP/1.1 only.
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    /// <summary>Forwards <paramref name="context"/>'s request to <paramref name="worker"/> and copies the answer back.</summary>
    public ValueTask<ForwarderError> SendAsync(HttpContext context, Uri worker, HttpTransformer transformer, CancellationToken cancellationToken)
        => _forwarder.SendAsync(context, worker.GetLeftPart(UriPartial.Authority), _invoker, _config, transformer, cancellationToken);

    /// <inheritdoc/>
    public void Dispose() => _invoker.Dispose();
}
