using Pipeline.Functions.Hosting;

namespace Pipeline.Functions.Http;

/// <summary>
/// Every request under <c>/api</c> and <c>/runtime</c> must carry the admin key, in header
/// <c>x-functions-key</c> or query <c>code=</c> (as Azure Functions accepts function keys); otherwise it is
/// answered 401 with a problem saying where the key is. Secure by default: a new endpoint needs the key
/// unless it opts out with <see cref="ApiKeyEndpointConventions.AllowWithoutApiKey{TBuilder}"/>.
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, AdminKey adminKey)
{
    /// <summary>The header carrying the key.</summary>
    public const string HeaderName = "x-functions-key";

    /// <summary>The query parameter carrying the key.</summary>
    public const string QueryName = "code";

    private static readonly PathString[] ProtectedPaths = ["/api", "/runtime"];

    /// <summary>Checks the key, then passes the request on.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        if (RequiresKey(context) && !adminKey.Matches(PresentedKey(context.Request)))
        {
            await ApiProblems.MissingOrWrongApiKey(adminKey.FilePath).ExecuteAsync(context);
            return;
        }
        await next(context);
    }

    private static bool RequiresKey(HttpContext context)
    {
        if (!ProtectedPaths.Any(p => context.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase))) return false;
        return context.GetEndpoint()?.Metadata.GetMetadata<AllowWithoutApiKeyAttribute>() is null;
    }

    private static string? PresentedKey(HttpRequest request)
    {
        var header = request.Headers[HeaderName].ToString();
        return header.Length > 0 ? header : request.Query[QueryName].ToString();
    }
}

/// <summary>Marks an endpoint under <c>/api</c> or <c>/runtime</c> that answers without the API key (e.g. health).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class AllowWithoutApiKeyAttribute : Attribute;

/// <summary>Endpoint conventions for the API key.</summary>
public static class ApiKeyEndpointConventions
{
    /// <summary>Lets the endpoint answer requests that carry no API key.</summary>
    public static TBuilder AllowWithoutApiKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new AllowWithoutApiKeyAttribute());
}
