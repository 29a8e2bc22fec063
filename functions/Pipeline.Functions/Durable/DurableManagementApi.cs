namespace Pipeline.Functions.Durable;

/// <summary>
/// Links to the durable management HTTP API (API.md "Durable management"), which the Functions host serves — not the
/// app. Features put these links in their answers (<c>statusQueryGetUri</c>) so a client can watch an instance.
/// </summary>
public static class DurableManagementApi
{
    /// <summary>The instances route of the management API.</summary>
    public const string InstancesPath = "/runtime/webhooks/durabletask/instances";

    /// <summary>
    /// The absolute status URI of <paramref name="instanceId"/> as the client reached the host (scheme and host from
    /// the forwarded request, which the worker's ASP.NET Core integration applies).
    /// </summary>
    public static string InstanceUri(HttpRequest request, string instanceId)
    {
        ArgumentNullException.ThrowIfNull(request);
        return $"{request.Scheme}://{request.Host}{request.PathBase}{InstancesPath}/{Uri.EscapeDataString(instanceId)}";
    }
}
