using System.Text.Json.Serialization;

namespace Pipeline.Functions.Health;

/// <summary>The body of <c>GET /api/health</c>: <c>{"status","checks":{"catalog","dataDirectory","durable"}}</c>.</summary>
/// <param name="Status"><c>Healthy</c> when every check is, else <c>Unhealthy</c>.</param>
/// <param name="Checks">Each check's outcome.</param>
public sealed record HealthReport(string Status, HealthChecks Checks);

/// <summary>What <c>GET /api/health</c> checks.</summary>
/// <param name="Catalog">The document catalog's database answers a query.</param>
/// <param name="DataDirectory">The data directory exists and takes a file.</param>
/// <param name="Durable">The durable store answers a query through the host (the worker's durable client).</param>
public sealed record HealthChecks(HealthCheck Catalog, HealthCheck DataDirectory, HealthCheck Durable);

/// <summary>One check.</summary>
/// <param name="Status"><c>Healthy</c> or <c>Unhealthy</c>.</param>
/// <param name="Error">Why it is unhealthy; absent when healthy.</param>
public sealed record HealthCheck(
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null)
{
    /// <summary>Healthy.</summary>
    public static HealthCheck Healthy { get; } = new("Healthy");

    /// <summary>Unhealthy because of <paramref name="error"/>.</summary>
    public static HealthCheck Unhealthy(string error) => new("Unhealthy", error);

    /// <summary>True when healthy.</summary>
    [JsonIgnore]
    public bool IsHealthy => Status == "Healthy";
}
