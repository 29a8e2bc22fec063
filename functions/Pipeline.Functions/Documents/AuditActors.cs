namespace Pipeline.Functions.Documents;

/// <summary>Names the actor of an HTTP request in the audit log: the credential used and where the request came from.</summary>
public static class AuditActors
{
    /// <summary>For example <c>admin-key@127.0.0.1</c>.</summary>
    public static string Of(HttpContext context) => $"admin-key@{context.Connection.RemoteIpAddress?.ToString() ?? "unknown"}";
}
