namespace Pipeline.Host.Durable;

/// <summary>Durable Functions' HTTP management API, served by the host.</summary>
internal static class DurableManagementApi
{
    public static void Map(WebApplication app)
    {
    }
}
