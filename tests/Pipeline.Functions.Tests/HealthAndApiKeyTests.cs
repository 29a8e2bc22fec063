using System.Net;
using System.Text;
using System.Text.Json;

namespace Pipeline.Functions.Tests;

/// <summary>The health endpoint and the API key, against the running app.</summary>
public sealed class HealthAndApiKeyTests(PipelineAppFixture fixture) : IClassFixture<PipelineAppFixture>
{
    [Fact]
    public async Task Health_answers_without_a_key_with_store_worker_and_backlog()
    {
        using var response = await fixture.Anonymous.GetAsync("/api/health");
        var body = DurableHttp.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());

        var store = body.GetProperty("store");
        Assert.Equal("sqlite", store.GetProperty("kind").GetString());
        Assert.True(store.GetProperty("reachable").GetBoolean());
        Assert.False(store.TryGetProperty("error", out _));

        var workers = body.GetProperty("workers");
        Assert.True(workers.GetProperty("running").GetBoolean());
        Assert.False(string.IsNullOrEmpty(workers.GetProperty("workerId").GetString()));
        Assert.True(workers.GetProperty("activeOrchestrations").GetInt32() >= 0);
        Assert.Equal(32, workers.GetProperty("maxConcurrentOrchestrations").GetInt32());
        Assert.True(workers.GetProperty("activeActivities").GetInt32() >= 0);
        Assert.Equal(32, workers.GetProperty("maxConcurrentActivities").GetInt32());

        var backlog = body.GetProperty("backlog");
        foreach (var name in new[] { "orchestrationMessages", "activities", "timers" })
            Assert.True(backlog.GetProperty(name).GetInt64() >= 0, name);
    }

    [Theory]
    [InlineData("POST", "/api/orchestrators/diagnostics-chain")]
    [InlineData("GET", "/runtime/webhooks/durabletask/instances")]
    [InlineData("GET", "/runtime/webhooks/durabletask/instances/some-id")]
    public async Task Api_and_runtime_routes_without_a_key_are_401_problems_saying_where_the_key_is(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST") request.Content = new StringContent("""{"activities":1}""", Encoding.UTF8, "application/json");
        using var response = await fixture.Anonymous.SendAsync(request);

        await AssertUnauthorizedProblem(response);
    }

    [Fact]
    public async Task A_wrong_key_is_401_like_a_missing_one()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/runtime/webhooks/durabletask/instances");
        request.Headers.Add("x-functions-key", fixture.App.ReadAdminKey() + "x");
        using var response = await fixture.Anonymous.SendAsync(request);

        await AssertUnauthorizedProblem(response);
    }

    [Fact]
    public async Task The_key_is_accepted_in_the_code_query_parameter_too()
    {
        var key = Uri.EscapeDataString(fixture.App.ReadAdminKey());
        using var response = await fixture.Anonymous.GetAsync($"/runtime/webhooks/durabletask/instances?top=1&code={key}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Startup_prints_where_it_listens_and_where_the_key_is_but_never_the_key()
    {
        // The fixture waited for the first line; the second follows it at once.
        await fixture.App.Process.WaitForOutputAsync("Admin key: ", TimeSpan.FromSeconds(10));
        var output = fixture.App.Process.Output;

        Assert.Contains($"Pipeline listening on {fixture.App.BaseAddress.ToString().TrimEnd('/')}", output);
        Assert.Contains($"Admin key: {fixture.App.AdminKeyPath}", output);
        Assert.DoesNotContain(fixture.App.ReadAdminKey(), output);
    }

    [Fact]
    public async Task Unknown_routes_answer_problem_json()
    {
        using var response = await fixture.Client.GetAsync("/api/no-such-thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task AssertUnauthorizedProblem(HttpResponseMessage response)
    {
        var body = DurableHttp.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Missing or wrong API key", body.GetProperty("title").GetString());
        Assert.Equal(401, body.GetProperty("status").GetInt32());
        var detail = body.GetProperty("detail").GetString()!;
        Assert.Contains("x-functions-key", detail);
        Assert.Contains(fixture.App.AdminKeyPath, detail);
    }
}
