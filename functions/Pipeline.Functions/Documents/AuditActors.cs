using Pipeline.Functions.Hosting;

namespace Pipeline.Functions.Documents;

/// <summary>
/// Names the actor of an HTTP request in the audit log: the credential used and where the request came from, for
/// example <c>admin-key@192.0.2.7</c>. Requests reach the app through the Functions host, which checked the key and
/// forwards the request with its headers: the key is named by <see cref="HostKeyNames"/>; the client's address is the
/// connection's, which the worker's ASP.NET Core integration takes from the <c>X-Forwarded-For</c> the host adds
/// (forwarded headers are trusted from loopback peers only, i.e. from the host).
/// </summary>
public static class AuditActors
{
    /// <summary>For example <c>admin-key@127.0.0.1</c>.</summary>
    public static string Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var credential = context.RequestServices?.GetService<HostKeyNames>()?.NameOf(context.Request) ?? "key";
        return $"{credential}@{context.Connection.RemoteIpAddress?.ToString() ?? "unknown"}";
    }
}
