using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Functions.Web;

/// <summary>
/// The clerk's page: <c>GET /</c> (upload scans, watch their digitisation, read the text) with its script
/// <c>/app.js</c> and styles <c>/app.css</c>, and the review page <c>GET /review/{id}</c> (the page image beside the
/// fields, corrections saved) with <c>/review.js</c> and <c>/review.css</c>; both load <c>/common.js</c> (the key,
/// API calls and problem display they share) before their own script. Loading them needs no key — they hold no data; the script sends
/// the key the clerk pastes with every API call. Every response carries a Content-Security-Policy that only
/// lets the page run its own script file and talk to its own origin, so data shown on the page can never
/// run as code.
/// </summary>
public static class WebPages
{
    /// <summary>
    /// The pages' Content-Security-Policy. <c>object-src blob:</c> lets a fetched archive PDF open in the browser's viewer;
    /// <c>img-src blob:</c> lets the review page show a page image it fetched with the key.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
        "object-src 'self' blob:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    // HEAD too, for uptime probes and link checkers (Kestrel sends no body for HEAD).
    private static readonly string[] GetOrHead = [HttpMethods.Get, HttpMethods.Head];

    private static readonly StaticText Common = new(SharedScript.Script, "text/javascript; charset=utf-8");
    private static readonly StaticText Page = new(DocumentsPage.Html, "text/html; charset=utf-8");
    private static readonly StaticText Script = new(DocumentsPage.Script, "text/javascript; charset=utf-8");
    private static readonly StaticText Styles = new(DocumentsPage.Styles, "text/css; charset=utf-8");
    private static readonly StaticText ReviewHtml = new(ReviewPage.Html, "text/html; charset=utf-8");
    private static readonly StaticText ReviewScript = new(ReviewPage.Script, "text/javascript; charset=utf-8");
    private static readonly StaticText ReviewStyles = new(ReviewPage.Styles, "text/css; charset=utf-8");
    private static readonly StaticText SecretaryHtml = new(SecretaryPage.Html, "text/html; charset=utf-8");
    private static readonly StaticText SecretaryScript = new(SecretaryPage.Script, "text/javascript; charset=utf-8");
    private static readonly StaticText SecretaryStyles = new(SecretaryPage.Styles, "text/css; charset=utf-8");

    /// <summary>Maps <c>/common.js</c>, <c>/</c>, <c>/app.js</c>, <c>/app.css</c>, <c>/review/{id}</c>, <c>/review.js</c> and <c>/review.css</c>.</summary>
    public static IEndpointRouteBuilder MapWebPages(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/common.js", GetOrHead, (HttpContext context) => Serve(context, Common)).ExcludeFromDescription();
        app.MapMethods("/", GetOrHead, (HttpContext context) => Serve(context, Page))
            .WithTags("Web")
            .WithName("GetDocumentsPage")
            .WithSummary("The clerk's page: upload scans, follow their digitisation, open text and archive PDF.")
            .ExcludeFromDescription();
        app.MapMethods("/app.js", GetOrHead, (HttpContext context) => Serve(context, Script)).ExcludeFromDescription();
        app.MapMethods("/app.css", GetOrHead, (HttpContext context) => Serve(context, Styles)).ExcludeFromDescription();
        // The same markup for every document: the script reads the id from the address and fetches the rest with the key.
        app.MapMethods("/review/{id}", GetOrHead, (HttpContext context) => Serve(context, ReviewHtml))
            .WithTags("Web")
            .WithName("GetReviewPage")
            .WithSummary("The review page: the page image beside the fields, low-confidence fields highlighted, corrections saved.")
            .ExcludeFromDescription();
        app.MapMethods("/review.js", GetOrHead, (HttpContext context) => Serve(context, ReviewScript)).ExcludeFromDescription();
        app.MapMethods("/review.css", GetOrHead, (HttpContext context) => Serve(context, ReviewStyles)).ExcludeFromDescription();
        app.MapMethods("/secretary", GetOrHead, (HttpContext context) => Serve(context, SecretaryHtml))
            .WithTags("Web")
            .WithName("GetSecretaryPage")
            .WithSummary("The secretary's page: meetings created from approved documents, published, held, concluded and archived.")
            .ExcludeFromDescription();
        app.MapMethods("/secretary.js", GetOrHead, (HttpContext context) => Serve(context, SecretaryScript)).ExcludeFromDescription();
        app.MapMethods("/secretary.css", GetOrHead, (HttpContext context) => Serve(context, SecretaryStyles)).ExcludeFromDescription();
        return app;
    }

    private static IResult Serve(HttpContext context, StaticText text)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        // Revalidated on every load, so a new version of the app is picked up at once; unchanged files cost a 304.
        headers.CacheControl = "no-cache";
        headers.ETag = text.ETag;
        if (context.Request.Headers.IfNoneMatch.Contains(text.ETag)) return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(text.Bytes, text.ContentType);
    }

    /// <summary>A text served as is, UTF-8 encoded once, with an ETag of its content.</summary>
    private sealed class StaticText
    {
        public StaticText(string text, string contentType)
        {
            Bytes = Encoding.UTF8.GetBytes(text);
            ContentType = contentType;
            ETag = $"\"{Convert.ToHexStringLower(SHA256.HashData(Bytes))[..16]}\"";
        }

        public byte[] Bytes { get; }
        public string ContentType { get; }
        public string ETag { get; }
    }
}
