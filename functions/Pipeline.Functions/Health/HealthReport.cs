using System.Text.Json.Serialization;

namespace Pipeline.Functions.Health;

/// <summary>The body of <c>GET /api/health</c>.</summary>
/// <param name="Status"><c>Healthy</c> or <c>Unhealthy</c> (store unreachable, or worker not running).</param>
public sealed record HealthReport(string Status, StoreReport Store, WorkerReport Workers, BacklogReport Backlog);

/// <summary>The durable store.</summary>
/// <param name="Kind"><c>sqlite</c> or <c>postgres</c>.</param>
/// <param name="Reachable">It answered the health query.</param>
/// <param name="Error">Why not, when it did not.</param>
public sealed record StoreReport(
    string Kind,
    bool Reachable,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error);

/// <summary>This process's durable worker.</summary>
public sealed record WorkerReport(
    bool Running,
    string? WorkerId,
    int ActiveOrchestrations,
    int MaxConcurrentOrchestrations,
    int ActiveActivities,
    int MaxConcurrentActivities);

/// <summary>Work waiting in the store (all processes sharing it).</summary>
/// <param name="OrchestrationMessages">Inbox messages ready to be processed.</param>
/// <param name="Activities">Activity calls waiting or running.</param>
/// <param name="Timers">Durable timers not yet due.</param>
public sealed record BacklogReport(long OrchestrationMessages, long Activities, long Timers);
