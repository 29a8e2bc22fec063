using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Hosting;

namespace Pipeline.Functions.Health;

/// <summary>
/// <c>GET /api/health</c>, no key needed: whether this app can do its work — the document catalog answers, the data
/// directory takes files, and the durable store answers through the host. 200 when all do, 503 when one does not, so a
/// load balancer or probe can act on the status code alone. Each check is bounded in time; none fails the request.
/// </summary>
public sealed class HealthFunctions(IServiceProvider services, DataDirectory data)
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The health report.</summary>
    [Function("GetHealth")]
    public async Task<IResult> GetHealth(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/health")] HttpRequest request,
        [DurableClient] DurableTaskClient client)
    {
        var ct = request.HttpContext.RequestAborted;
        var checks = await Task.WhenAll(
            CheckAsync(_ => Task.Run(CheckCatalog, ct), ct),
            CheckAsync(_ => Task.Run(CheckDataDirectory, ct), ct),
            CheckAsync(token => CheckDurableAsync(client, token), ct));
        var report = new HealthReport(
            checks.All(c => c.IsHealthy) ? "Healthy" : "Unhealthy",
            new HealthChecks(checks[0], checks[1], checks[2]));
        return report.Status == "Healthy"
            ? TypedResults.Ok(report)
            : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private void CheckCatalog()
    {
        using var connection = services.GetRequiredService<CatalogDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM (SELECT 1 FROM documents LIMIT 1)";
        command.ExecuteScalar();
    }

    private void CheckDataDirectory()
    {
        if (!Directory.Exists(data.Path)) throw new DirectoryNotFoundException($"{data.Path} does not exist.");
        var probe = Path.Combine(data.Path, $".health-{Guid.NewGuid():N}");
        File.WriteAllBytes(probe, [1]);
        File.Delete(probe);
    }

    // The cheapest query the client has: one instance's metadata, without input or output.
    private static Task CheckDurableAsync(DurableTaskClient client, CancellationToken ct)
        => client.GetInstanceAsync("health-probe", getInputsAndOutputs: false, ct);

    private static async Task<HealthCheck> CheckAsync(Func<CancellationToken, Task> check, CancellationToken requestAborted)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            await check(timeout.Token).WaitAsync(timeout.Token);
            return HealthCheck.Healthy;
        }
        catch (OperationCanceledException) when (!requestAborted.IsCancellationRequested)
        {
            return HealthCheck.Unhealthy($"No answer within {CheckTimeout.TotalSeconds:0} s.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheck.Unhealthy(e.Message);
        }
    }
}
