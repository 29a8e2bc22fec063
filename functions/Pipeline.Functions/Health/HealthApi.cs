using Microsoft.AspNetCore.Http.HttpResults;
using Pipeline.Durable;
using Pipeline.Durable.Storage;
using Pipeline.Functions.Http;

namespace Pipeline.Functions.Health;

/// <summary>
/// <c>GET /api/health</c>, no key needed: whether this process can do durable work — its store answers
/// and its worker runs — with the worker's load and the store's backlog. 200 when healthy, 503 when not,
/// so a load balancer or probe can act on the status code alone.
/// </summary>
public static class HealthApi
{
    private static readonly TimeSpan StoreCheckTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Maps the health route.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", GetHealth)
            .AllowWithoutApiKey()
            .WithTags("Health")
            .WithName("GetHealth")
            .WithSummary("Store reachability, worker status and backlog: 200 Healthy or 503 Unhealthy.");
        return app;
    }

    private static async Task<Results<Ok<HealthReport>, JsonHttpResult<HealthReport>>> GetHealth(
        IOrchestrationStore store, DurableTaskWorker worker, CancellationToken ct)
    {
        var storeHealth = await CheckStoreAsync(store, ct);
        var workers = CheckWorker(worker);
        var healthy = storeHealth.Reachable && workers.Running;

        var report = new HealthReport(
            healthy ? "Healthy" : "Unhealthy",
            new StoreReport(store.Kind, storeHealth.Reachable, storeHealth.Error),
            workers,
            new BacklogReport(storeHealth.PendingOrchestrationMessages, storeHealth.PendingActivities, storeHealth.ScheduledTimers));
        return healthy ? TypedResults.Ok(report) : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<StoreHealth> CheckStoreAsync(IOrchestrationStore store, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(StoreCheckTimeout);
        try
        {
            return await store.GetHealthAsync(timeout.Token).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new StoreHealth(false, 0, 0, 0, $"The store did not answer within {StoreCheckTimeout.TotalSeconds:0} s.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new StoreHealth(false, 0, 0, 0, e.Message);
        }
    }

    private static WorkerReport CheckWorker(DurableTaskWorker worker)
    {
        try
        {
            var s = worker.GetStatus();
            return new WorkerReport(s.Running, s.WorkerId, s.ActiveOrchestrations, s.MaxConcurrentOrchestrations, s.ActiveActivities, s.MaxConcurrentActivities);
        }
        catch (Exception)
        {
            // A health check reports a broken worker; it never fails itself.
            return new WorkerReport(false, null, 0, 0, 0, 0);
        }
    }
}
