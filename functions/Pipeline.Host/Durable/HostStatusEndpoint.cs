using Pipeline.Host.Http;
using Pipeline.Host.Worker;

namespace Pipeline.Host.Durable;

/// <summary>
/// <c>GET /admin/host/status</c> (master key): <c>{state, worker{generation, processId, functions}, durable{store,
/// reachable, …}}</c>. <c>state</c> is <c>Running</c> with a ready worker, <c>Starting</c> without one (starting or
/// restarting), <c>Stopping</c> once the host stops.
/// </summary>
internal static class HostStatusEndpoint
{
    /// <summary>The path.</summary>
    public const string Path = "/admin/host/status";

    /// <summary>Maps the endpoint.</summary>
    public static void Map(WebApplication app)
        => app.MapGet(Path, async (IWorkerLifecycle worker, DurableStatus durable, CancellationToken ct) =>
        {
            var current = worker.Current;
            var state = worker.IsStopping ? "Stopping" : current is null ? "Starting" : "Running";
            return TypedResults.Ok(new
            {
                state,
                worker = current is null ? null : new
                {
                    generation = current.Number,
                    processId = current.ProcessId,
                    functions = current.Functions.Select(f => new { name = f.Name, trigger = f.TriggerType }).ToList(),
                },
                durable = await durable.GetAsync(ct).ConfigureAwait(false),
            });
        }).RequireAuthLevel(AuthLevel.Admin);
}
