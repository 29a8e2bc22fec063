using Pipeline.Host.Hosting;

namespace Pipeline.Host.Http;

/// <summary>
/// Checks the key of every request to an endpoint on the public listeners against the endpoint's
/// <see cref="RequiredAuthLevel"/> (the master key when it has none), as Azure does: the key in header
/// <c>x-functions-key</c>, else query <c>code</c>. A wrong or missing key gets a 401 problem with a generic title.
/// Requests that match no endpoint go on to become 404/405 problems without a key, as in Azure.
/// </summary>
internal sealed class FunctionKeyMiddleware(RequestDelegate next, HostKeys keys, RpcEndpoint rpc)
{
    /// <summary>The header carrying the key.</summary>
    public const string HeaderName = "x-functions-key";

    /// <summary>The query parameter carrying the key.</summary>
    public const string QueryName = "code";

    // HttpMethodMatcherPolicy's endpoint for "route matched, method did not" has no metadata of its own to test.
    private const string MethodNotAllowedEndpointName = "405 HTTP Method Not Supported";

    /// <summary>Checks the key, then passes the request on.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null || rpc.Carries(context) || endpoint.DisplayName == MethodNotAllowedEndpointName) return next(context);
        var level = endpoint.Metadata.GetMetadata<RequiredAuthLevel>()?.Level ?? AuthLevel.Admin;
        if (level == AuthLevel.Anonymous || Passes(level, PresentedKey(context.Request))) return next(context);
        return HttpProblems.MissingOrWrongKey().ExecuteAsync(context);
    }

    private bool Passes(AuthLevel level, string? presented)
    {
        // Both comparisons always run, so the time taken does not say which key was close.
        var master = keys.Master.Matches(presented);
        var function = keys.DefaultFunction.Matches(presented);
        return level == AuthLevel.Admin ? master : master | function;
    }

    private static string? PresentedKey(HttpRequest request)
    {
        var header = request.Headers[HeaderName].ToString();
        return header.Length > 0 ? header : request.Query[QueryName].ToString();
    }
}
