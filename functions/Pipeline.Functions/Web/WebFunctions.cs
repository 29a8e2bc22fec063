using Microsoft.Azure.Functions.Worker;

namespace Pipeline.Functions.Web;

/// <summary>
/// The app's web pages as HTTP functions, no key needed (they hold no data; their scripts send the key the clerk pastes
/// with every API call): the clerk's page <c>GET /</c> (upload scans, watch their digitisation, read the text), the review
/// page <c>GET /review/{id}</c> (the page image beside the fields, corrections saved), the secretary's page
/// <c>GET /secretary</c>, and each other file of <c>wwwroot</c> at <c>/</c> + its name. GET and HEAD (for uptime probes
/// and link checkers). The files, their content types, ETag/304, caching and the Content-Security-Policy are
/// <see cref="WebAssets"/>'.
/// </summary>
public sealed class WebFunctions(WebAssets assets)
{
    /// <summary><c>GET /</c>: the clerk's page.</summary>
    [Function("WebIndexPage")]
    public IResult Index([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "")] HttpRequest request) => Serve(request);

    /// <summary><c>GET /review/{id}</c>: the review page (its script reads the id from the address).</summary>
    [Function("WebReviewPage")]
    public IResult Review([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "review/{id}")] HttpRequest request) => Serve(request);

    /// <summary><c>GET /secretary</c>: the secretary's page.</summary>
    [Function("WebSecretaryPage")]
    public IResult Secretary([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "secretary")] HttpRequest request) => Serve(request);

    /// <summary>
    /// <c>GET /{name}.{extension}</c>: a file the pages load (script, style sheet, image). The route takes one segment
    /// with a dot, so it never shadows a page or an <c>/api</c> route; a name that is no file of <c>wwwroot</c> is a 404 problem.
    /// </summary>
    [Function("WebFile")]
    public IResult File([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "{name}.{extension}")] HttpRequest request) => Serve(request);

    private WebAssetResult Serve(HttpRequest request) => new(assets.Respond(request.Path.Value, request.Headers.IfNoneMatch.ToString()));
}

/// <summary>Registers the web files.</summary>
public static class WebFeature
{
    /// <summary>
    /// Reads <c>wwwroot</c> (next to the app) once, now: a build that ships a file with no content type, or misses a page,
    /// fails at start rather than at a visitor's request. Files must sit directly in <c>wwwroot</c>: the file function's
    /// route is one segment.
    /// </summary>
    public static IServiceCollection AddWeb(this IServiceCollection services)
    {
        var assets = new WebAssets(WebAssets.AppDirectory);
        if (assets.Files.FirstOrDefault(f => f.Name.Contains('/', StringComparison.Ordinal) || !f.Name.Contains('.', StringComparison.Ordinal)) is { } nested)
            throw new InvalidOperationException($"wwwroot/{nested.Name} would not be served: web files sit directly in wwwroot and have an extension.");
        return services.AddSingleton(assets);
    }
}
