using System.Net;

namespace Pipeline.Functions.Approval;

/// <summary>
/// Where approvers reach the app: the links put in mail. <see cref="ApprovalOptions.PublicBaseUrl"/> when configured;
/// otherwise the address the API was last called at by a key holder (<see cref="Observe"/>), kept in
/// <c>&lt;data&gt;/public-address</c> so mails sent after a restart still carry it. The app runs behind the Functions
/// host and does not know the host's address by itself.
/// </summary>
public sealed class ApprovalAddress
{
    private readonly ApprovalOptions _options;
    private readonly string _file;
    private readonly Lock _gate = new();
    private Uri? _observed;

    /// <summary>The address of <paramref name="options"/>, or the one observed, kept in <paramref name="dataDirectory"/>.</summary>
    public ApprovalAddress(ApprovalOptions options, string dataDirectory)
    {
        _options = options;
        _file = Path.Combine(dataDirectory, "public-address");
        if (File.Exists(_file) && Uri.TryCreate(File.ReadAllText(_file).Trim(), UriKind.Absolute, out var stored)) _observed = stored;
    }

    /// <summary>The app's public base address, ending in <c>/</c>.</summary>
    public Uri Base
    {
        get
        {
            var address = _options.PublicBaseUrl ?? _observed
                ?? throw new InvalidOperationException("The app's public address is unknown: set pipeline.approvals.publicBaseUrl in host.json.");
            return address.AbsoluteUri.EndsWith('/') ? address : new Uri(address.AbsoluteUri + "/");
        }
    }

    /// <summary>The decision page of <paramref name="token"/>.</summary>
    public Uri LinkFor(string token) => LinkForPath("approvals/" + token);

    /// <summary>The app's page at <paramref name="relativePath"/> (no leading slash), e.g. <c>meetings/{token}</c>.</summary>
    public Uri LinkForPath(string relativePath) => new(Base, relativePath);

    /// <summary>
    /// Remembers the address <paramref name="request"/> was made to, as the host forwarded it. Only for requests that
    /// carried a key (the API): an anonymous caller's Host header must never decide where mailed links point.
    /// </summary>
    public void Observe(HttpRequest request)
    {
        if (_options.PublicBaseUrl is not null) return;
        if (!Uri.TryCreate($"{PublicRequest.Scheme(request)}://{PublicRequest.Host(request)}/", UriKind.Absolute, out var address)) return;
        lock (_gate)
        {
            if (address == _observed) return;
            _observed = address;
            var temporary = _file + ".tmp";
            File.WriteAllText(temporary, address.AbsoluteUri);
            File.Move(temporary, _file, overwrite: true);
        }
    }
}

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

    private static bool FromHost(HttpContext http) => http.Connection.RemoteIpAddress is { } peer && IPAddress.IsLoopback(peer);

    private static string? Forwarded(HttpContext http, string header)
    {
        if (!FromHost(http)) return null;
        var value = http.Request.Headers[header].ToString();
        return value.Length == 0 ? null : value.Split(',')[0].Trim();
    }
}
