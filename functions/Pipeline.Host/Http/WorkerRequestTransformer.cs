using Yarp.ReverseProxy.Forwarder;

namespace Pipeline.Host.Http;

/// <summary>
/// YARP's default transforms (X-Forwarded-For/Proto/Host, the original Host replaced) plus two of the host's own:
/// the request carries <c>x-ms-invocation-id</c> (replacing any the client sent: the worker pairs the request with
/// the invocation by that header alone); and an empty response is held until the invocation's outcome is known,
/// because the worker answers an invocation that failed before writing anything with an empty 200.
/// </summary>
internal sealed class WorkerRequestTransformer(string invocationId, Task<bool> invocationSucceeded) : HttpTransformer
{
    /// <summary>The header the worker's ASP.NET Core integration pairs requests and invocations by.</summary>
    public const string InvocationIdHeader = "x-ms-invocation-id";

    private static readonly HttpTransformer Inner = HttpTransformer.Default;

    /// <inheritdoc/>
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await Inner.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        proxyRequest.Headers.Remove(InvocationIdHeader);
        proxyRequest.Headers.TryAddWithoutValidation(InvocationIdHeader, invocationId);
    }

    /// <inheritdoc/>
    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is not null && IsEmpty(proxyResponse) && !await invocationSucceeded.WaitAsync(cancellationToken).ConfigureAwait(false))
            return false; // The handler answers with the failure instead.
        return await Inner.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken)
        => Inner.TransformResponseTrailersAsync(httpContext, proxyResponse, cancellationToken);

    private static bool IsEmpty(HttpResponseMessage response)
        => response.Content.Headers.ContentLength == 0 || response.StatusCode is System.Net.HttpStatusCode.NoContent or System.Net.HttpStatusCode.NotModified;
}
