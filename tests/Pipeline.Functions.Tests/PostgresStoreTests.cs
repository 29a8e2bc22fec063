using System.Net;
using Pipeline.Testing;

namespace Pipeline.Functions.Tests;

/// <summary>The app on PostgreSQL (PIPELINE_DURABLE__POSTGRES): two processes share one store.</summary>
public sealed class PostgresStoreTests
{
    [Fact]
    public async Task Two_app_processes_on_one_postgres_database_share_instances()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        var connectionString = await cluster.CreateDatabaseAsync("pipeline_app");
        var environment = new Dictionary<string, string?> { ["PIPELINE_DURABLE__POSTGRES"] = connectionString };

        await using var first = await PipelineApp.StartAsync(environment: environment);
        await using var second = await PipelineApp.StartAsync(environment: environment);
        using var firstClient = first.CreateClient();
        using var secondClient = second.CreateClient();

        using (var health = await firstClient.GetAsync("/api/health"))
        {
            var body = DurableHttp.Parse(await health.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("durable").GetProperty("status").GetString());
        }
        foreach (var client in new[] { firstClient, secondClient })
        {
            // The host runs the durable store; its status (master key) names the store it uses.
            using var hostStatus = await client.GetAsync("/admin/host/status");
            Assert.Equal(HttpStatusCode.OK, hostStatus.StatusCode);
            var durable = DurableHttp.Parse(await hostStatus.Content.ReadAsStringAsync()).GetProperty("durable");
            Assert.Equal("postgres", durable.GetProperty("store").GetString());
            Assert.True(durable.GetProperty("reachable").GetBoolean());
        }

        var started = await firstClient.StartAcceptedAsync("diagnostics-fanout", """{"activities":100,"delayMs":10}""");
        var id = started.GetProperty("id").GetString()!;

        // The other process answers for it: the store is shared.
        var status = await secondClient.WaitForFinishAsync($"/runtime/webhooks/durabletask/instances/{id}", TimeSpan.FromSeconds(60));
        Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
        Assert.Equal("""{"completed":100}""", DurableHttp.Raw(status.GetProperty("output")));
    }

    [Fact]
    public async Task When_the_store_goes_away_health_is_503_and_api_calls_are_500_problems_without_stack_traces()
    {
        var cluster = await PostgresCluster.StartAsync();
        await using var _ = cluster;
        var connectionString = await cluster.CreateDatabaseAsync("pipeline_health");
        await using var app = await PipelineApp.StartAsync(environment: new Dictionary<string, string?> { ["PIPELINE_DURABLE__POSTGRES"] = connectionString });
        using var client = app.CreateClient(withKey: false);

        await cluster.DisposeAsync(); // the database server stops

        using var health = await client.GetAsync("/api/health");
        var body = DurableHttp.Parse(await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", body.GetProperty("status").GetString());
        var durableCheck = body.GetProperty("checks").GetProperty("durable");
        Assert.Equal("Unhealthy", durableCheck.GetProperty("status").GetString());
        Assert.False(string.IsNullOrWhiteSpace(durableCheck.GetProperty("error").GetString()));

        using var keyed = app.CreateClient();
        using var list = await keyed.GetAsync("/runtime/webhooks/durabletask/instances");
        var problem = await list.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, list.StatusCode);
        Assert.Equal("application/problem+json", list.Content.Headers.ContentType?.MediaType);
        Assert.Equal(500, DurableHttp.Parse(problem).GetProperty("status").GetInt32());
        Assert.DoesNotContain(" at ", problem);
        Assert.DoesNotContain("Npgsql", problem);
    }
}
