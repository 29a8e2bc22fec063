using System.Net;

namespace Pipeline.Functions.Links;

/// <summary>
/// A request as the caller made it. The app is reached through the Functions host, which forwards each request with
/// <c>X-Forwarded-For</c>, <c>-Proto</c> and <c>-Host</c>; those are believed only from a loopback peer (the host), and
/// are not there at all when the app's pipeline has applied them already.
/// </summary>
public static class PublicRequest
{
    /// <summary>The scheme the caller used.</summary>
    public static string Scheme(HttpRequest request) =>
        Forwarded(request.HttpContext, "X-Forwarded-Proto") is { } proto && (proto == "http" || proto == "https") ? proto : request.Scheme;

    /// <summary>The host (and port) the caller addressed.</summary>
    public static string Host(HttpRequest request) => Forwarded(request.HttpContext, "X-Forwarded-Host") ?? request.Host.Value ?? "";

    /// <summary>The caller's address (IPv4 for IPv4-mapped addresses).</summary>
    public static IPAddress? Client(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress;
        if (FromHost(http) && http.Request.Headers["X-Forwarded-For"].ToString() is { Length: > 0 } chain
            && IPAddress.TryParse(chain.Split(',')[^1].Trim().Trim('[', ']'), out var forwarded))
        {
            address = forwarded;
        }
        return address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
    }

    /// <summary>
    /// True when a form was posted from another site: <c>Sec-Fetch-Site: cross-site</c>, or an <c>Origin</c> that
    /// is neither the address the caller used (as the host forwarded it) nor <paramref name="publicBaseUrl"/>.
    /// <c>Origin: null</c> is not refused: browsers send it for a same-origin form post from a page with
    /// <c>Referrer-Policy: no-referrer</c>, as link pages are, and <c>Sec-Fetch-Site</c> still tells a cross-site post apart.
    /// </summary>
    public static bool IsCrossSite(HttpRequest request, Uri? publicBaseUrl)
    {
        if (string.Equals(request.Headers["Sec-Fetch-Site"].ToString(), "cross-site", StringComparison.OrdinalIgnoreCase)) return true;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0 || origin == "null") return false;
        if (string.Equals(origin, $"{Scheme(request)}://{Host(request)}", StringComparison.OrdinalIgnoreCase)) return false;
        return publicBaseUrl is null || !string.Equals(origin, publicBaseUrl.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);
    }

    private static bool FromHost(HttpContext http) => http.Connection.RemoteIpAddress is { } peer && IPAddress.IsLoopback(peer);

    private static string? Forwarded(HttpContext http, string header)
    {
        if (!FromHost(http)) return null;
        var value = http.Request.Headers[header].ToString();
        return value.Length == 0 ? null : value.Split(',')[0].Trim();
    }
}
