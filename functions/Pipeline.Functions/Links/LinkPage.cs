using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Functions.Links;

/// <summary>
/// The frame of every page reached by a link in mail (approvals, meetings): a plain HTML document (no script at all,
/// one inline style sheet allowed by its hash), the headers that keep the token in the address from leaking, and the
/// helpers the pages write text with.
/// </summary>
public static class LinkPage
{
    /// <summary>Largest form a link page accepts: a 2,000-character Vietnamese comment percent-encoded is under 20 KB.</summary>
    public const long MaxFormBytes = 64 * 1024;

    private static readonly TimeSpan VietnamOffset = TimeSpan.FromHours(7);
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Sets the headers every link response carries, pages and the PDF alike.</summary>
    public static void ProtectResponse(HttpResponse response)
    {
        var headers = response.Headers;
        // The token is the credential: no cache may keep a page or PDF, and no Referer may carry the address onwards.
        headers.CacheControl = "no-store";
        headers.Pragma = "no-cache";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        headers["X-Robots-Tag"] = "noindex, nofollow";
    }

    /// <summary>
    /// A whole link page with <paramref name="status"/>, the protective headers and the CSP: <paramref name="styles"/> is its one style sheet, allowed by
    /// <paramref name="contentSecurityPolicy"/>; <paramref name="title"/> is the fixed tab title and <paramref name="section"/> the line above the heading.
    /// </summary>
    public static IResult Html(HttpContext context, int status, string heading, string main, string title, string section, string styles, string contentSecurityPolicy)
    {
        ProtectResponse(context.Response);
        context.Response.Headers.ContentSecurityPolicy = contentSecurityPolicy;
        var page = $"""
<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<link rel="icon" href="data:,">
<style>{styles}</style>
</head>
<body>
<header>
<p>Pipeline · {section}</p>
<h1>{Encode(heading)}</h1>
</header>
<main>
{main}
</main>
</body>
</html>
""";
        return Results.Content(page, "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    /// <summary>The CSP of a link page whose one style sheet is <paramref name="styles"/>: no script, frames, plug-ins or images; forms post only back here; never framed (no tricked clicks).</summary>
    public static string PolicyFor(string styles) =>
        $"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(styles)))}'; " +
        "img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>
    /// Text made safe for element content and quoted attribute values. Only the five markup characters are replaced,
    /// so Vietnamese text stays readable in the source.
    /// </summary>
    public static string Encode(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': builder.Append("&amp;"); break;
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '"': builder.Append("&quot;"); break;
                case '\'': builder.Append("&#39;"); break;
                // Control characters (other than line breaks and tabs) have no business on a page and can confuse parsers.
                case '\n' or '\t': builder.Append(c); break;
                default: if (!char.IsControl(c)) builder.Append(c); break;
            }
        }
        return builder.ToString();
    }

    /// <summary>A UTC time as Vietnam shows it (UTC+7, no daylight saving), e.g. <c>14:05 ngày 18/05/2025 (giờ Việt Nam)</c>.</summary>
    public static string VietnamTime(DateTime utc)
    {
        var local = new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToOffset(VietnamOffset);
        return local.ToString("HH:mm 'ngày' dd/MM/yyyy", Invariant) + " (giờ Việt Nam)";
    }
}
