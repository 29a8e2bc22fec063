using System.Security.Cryptography;

namespace Pipeline.Functions.Web;

/// <summary>
/// The app's web pages and the files they load: <c>wwwroot</c>, copied next to the app by the build. Answers a request
/// path with a <see cref="WebAssetResponse"/> that any server can send — the ASP.NET Core endpoints of
/// <see cref="WebPages"/>, or an HTTP-triggered function on a Functions host, which has no static-files middleware.
/// Every file is read into memory once, when this is built; a request path is only ever a key into that set, never a
/// file-system path, so no spelling of <c>..</c>, no encoded separator and no absolute path reaches a file outside
/// <c>wwwroot</c>, and symbolic links inside it are not followed.
/// </summary>
public sealed class WebAssets
{
    /// <summary>
    /// The Content-Security-Policy every page and file is sent with: a page runs only the app's own script files, loads
    /// only its own style sheets and talks only to its own origin, so data shown on a page can never run as code.
    /// <c>object-src blob:</c> lets a fetched archive PDF open in the browser's viewer; <c>img-src blob:</c> lets the
    /// review page show a page image it fetched with the key.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
        "object-src 'self' blob:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    // The names carry no version, so a stored copy is revalidated on every use: a new build of the app reaches the
    // browser at once and an unchanged file costs a 304. Nothing here is private — the pages hold no data, their
    // scripts fetch it from the API with the key — so no response needs `private` or `no-store`.
    private const string CacheControl = "no-cache";

    /// <summary>The pages, their files and the addresses they are served at. Every other file is served at <c>/</c> + its name.</summary>
    public static IReadOnlyList<WebPage> Pages { get; } =
    [
        new("/", "index.html", "The clerk's page: upload scans, follow their digitisation, open text and archive PDF."),
        new("/review/{id}", "review.html", "The review page: the page image beside the fields, low-confidence fields highlighted, corrections saved."),
        new("/secretary", "secretary.html", "The secretary's page: meetings created from approved documents, published, held, concluded and archived."),
    ];

    /// <summary>The app's <c>wwwroot</c>: next to its assembly, wherever the process was started from.</summary>
    public static string AppDirectory => Path.Combine(AppContext.BaseDirectory, "wwwroot");

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".mjs"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".json"] = "application/json",
        [".txt"] = "text/plain; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".webp"] = "image/webp",
        [".ico"] = "image/x-icon",
        [".woff2"] = "font/woff2",
    };

    private static readonly KeyValuePair<string, string>[] SecurityHeaders =
    [
        new("Content-Security-Policy", ContentSecurityPolicy),
        new("X-Content-Type-Options", "nosniff"),
        new("Referrer-Policy", "no-referrer"),
        new("X-Frame-Options", "DENY"),
        new("Cache-Control", CacheControl),
    ];

    // Routes and file names are matched ignoring case, as ASP.NET Core and Functions routes are.
    private readonly Dictionary<string, WebAsset> _files = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string[] Route, WebAsset Page)> _pages = [];

    /// <summary>
    /// Reads every file under <paramref name="directory"/> (hidden files and symbolic links skipped). Throws when the
    /// directory or a page's file is missing, or a file has no known content type or a name a route cannot hold — a
    /// build that ships such a file fails at start, not at a visitor's request.
    /// </summary>
    public WebAssets(string directory)
    {
        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"The web pages are missing: {root} does not exist. Building functions/Pipeline.Functions copies wwwroot next to the app.");

        var all = new Dictionary<string, WebAsset>(StringComparer.OrdinalIgnoreCase);
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System | FileAttributes.ReparsePoint,
        };
        foreach (var path in Directory.EnumerateFiles(root, "*", options))
        {
            var name = Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
            if (!IsPlainName(name))
                throw new InvalidOperationException($"wwwroot/{name}: a web file's name may hold only letters, digits, '.', '-', '_' and '/'. Rename it.");
            var contentType = ContentTypeOf(name)
                ?? throw new InvalidOperationException($"wwwroot/{name} has no known content type. Add its extension to WebAssets or remove the file.");
            var content = File.ReadAllBytes(path);
            var asset = new WebAsset(name, contentType, content, $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"");
            if (!all.TryAdd(name, asset))
                throw new InvalidOperationException($"wwwroot/{name}: two web files differ only in case. Rename one.");
        }

        foreach (var page in Pages)
        {
            if (!all.Remove(page.File, out var asset))
                throw new InvalidOperationException($"The page {page.Route} needs wwwroot/{page.File}, which is missing.");
            _pages.Add((page.Route.Split('/'), asset));
        }
        foreach (var (name, asset) in all) _files.Add(name, asset);
    }

    /// <summary>The files served at <c>/</c> + their name: every file of <c>wwwroot</c> except the pages' (see <see cref="Pages"/>).</summary>
    public IReadOnlyCollection<WebAsset> Files => _files.Values;

    /// <summary>The content type a file of this name is served with, or <see langword="null"/> when it has none (and is not served).</summary>
    public static string? ContentTypeOf(string name) => ContentTypes.GetValueOrDefault(Path.GetExtension(name));

    /// <summary>
    /// The page or file at <paramref name="path"/>: an absolute, decoded URL path (<c>/</c> first, as ASP.NET Core's
    /// <c>Request.Path</c>), without query. A page's route also matches with one trailing slash. <see langword="null"/>
    /// when nothing is there.
    /// </summary>
    public WebAsset? Find(string? path)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/') return null;
        var trimmed = path.Length > 1 && path[^1] == '/' && path[^2] != '/' ? path[..^1] : path;
        var segments = trimmed.Split('/');
        foreach (var (route, page) in _pages)
            if (Matches(route, segments)) return page;
        return _files.GetValueOrDefault(path[1..]);
    }

    /// <summary>
    /// The answer to <c>GET</c> or <c>HEAD</c> of <paramref name="path"/> (see <see cref="Find"/>) from a client holding
    /// <paramref name="ifNoneMatch"/> (the <c>If-None-Match</c> header, values joined by commas, or null): 304 when it
    /// names the file's ETag or <c>*</c>, else 200 with the file; 404 when there is no page or file at that path. Every
    /// answer carries <see cref="ContentSecurityPolicy"/>, <c>X-Content-Type-Options: nosniff</c>,
    /// <c>Referrer-Policy: no-referrer</c>, <c>X-Frame-Options: DENY</c> and <c>Cache-Control: no-cache</c>; 200 and
    /// 304 add the <c>ETag</c>, 200 the <c>Content-Type</c>.
    /// </summary>
    public WebAssetResponse Respond(string? path, string? ifNoneMatch)
    {
        var headers = new List<KeyValuePair<string, string>>(SecurityHeaders);
        var asset = Find(path);
        if (asset is null) return new WebAssetResponse(404, null, headers);

        headers.Add(new("ETag", asset.ETag));
        if (NamesETag(ifNoneMatch, asset.ETag)) return new WebAssetResponse(304, asset, headers);
        headers.Add(new("Content-Type", asset.ContentType));
        return new WebAssetResponse(200, asset, headers);
    }

    private static bool Matches(string[] route, string[] segments)
    {
        if (route.Length != segments.Length) return false;
        for (var i = 0; i < route.Length; i++)
        {
            var isParameter = route[i].StartsWith('{');
            if (isParameter ? segments[i].Length == 0 : !string.Equals(route[i], segments[i], StringComparison.OrdinalIgnoreCase))
                return false;
        }
        return true;
    }

    // If-None-Match compares weakly (RFC 9110 §13.1.2): W/"x" names the same file as "x".
    private static bool NamesETag(string? ifNoneMatch, string etag)
    {
        if (string.IsNullOrEmpty(ifNoneMatch)) return false;
        foreach (var value in ifNoneMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (value == "*") return true;
            var tag = value.StartsWith("W/", StringComparison.Ordinal) ? value[2..] : value;
            if (tag == etag) return true;
        }
        return false;
    }

    private static bool IsPlainName(string name) =>
        name.Length > 0 && name[0] != '/' && !name.Contains("//", StringComparison.Ordinal)
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '/')
        && name.Split('/').All(segment => segment is not ("." or ".."));
}
