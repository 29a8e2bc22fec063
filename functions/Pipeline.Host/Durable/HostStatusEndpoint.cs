namespace Pipeline.Host.Durable;

/// <summary><c>GET /admin/host/status</c>.</summary>
internal static class HostStatusEndpoint
{
    public static void Map(WebApplication app)
    {
    }
}
