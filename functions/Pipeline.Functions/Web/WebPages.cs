namespace Pipeline.Functions.Web;

/// <summary>
/// The app's web pages as endpoints: the clerk's page <c>GET /</c> (upload scans, watch their digitisation, read the
/// text), the review page <c>GET /review/{id}</c> (the page image beside the fields, corrections saved) and the
/// secretary's page <c>GET /secretary</c>, and each file of <c>wwwroot</c> they load at <c>/</c> + its name. The files
/// and how they are answered are <see cref="WebAssets"/>'. Loading them needs no key — they hold no data; the scripts
/// send the key the clerk pastes with every API call.
/// </summary>
public static class WebPages
{
    // HEAD too, for uptime probes and link checkers.
    private static readonly string[] GetOrHead = [HttpMethods.Get, HttpMethods.Head];

    /// <summary>Maps every page of <see cref="WebAssets.Pages"/> at its route and every other file of <c>wwwroot</c> at <c>/</c> + its name.</summary>
    public static IEndpointRouteBuilder MapWebPages(this IEndpointRouteBuilder app)
    {
        var assets = new WebAssets(WebAssets.AppDirectory);
        foreach (var page in WebAssets.Pages)
            app.MapMethods(page.Route, GetOrHead, (HttpContext context) => Serve(context, assets))
                .WithTags("Web")
                .WithSummary(page.Summary)
                .ExcludeFromDescription();
        foreach (var file in assets.Files)
            app.MapMethods("/" + file.Name, GetOrHead, (HttpContext context) => Serve(context, assets)).ExcludeFromDescription();
        return app;
    }

    /// <summary>The page or file at the request's path, as <see cref="WebAssets.Respond"/> answers it.</summary>
    public static IResult Serve(HttpContext context, WebAssets assets) =>
        new WebAssetResult(assets.Respond(context.Request.Path.Value, context.Request.Headers.IfNoneMatch.ToString()));
}
