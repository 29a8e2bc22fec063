using System.Net;
using System.Text;
using System.Text.Json;

namespace Pipeline.Functions.Tests;

/// <summary>The health function and the keys, against the app running in the host.</summary>
public sealed class HealthAndApiKeyTests(PipelineAppFixture fixture) : IClassFixture<PipelineAppFixture>
{
    [Fact]
    public async Task Health_answers_without_a_key_with_the_catalog_data_directory_and_durable_checks()
    {
        using var response = await fixture.Anonymous.GetAsync("/api/health");
        var text = await response.Content.ReadAsStringAsync();
        var body = DurableHttp.Parse(text);

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());

        var checks = body.GetProperty("checks");
        Assert.Equal(["catalog", "dataDirectory", "durable"], checks.EnumerateObject().Select(p => p.Name));
        foreach (var check in checks.EnumerateObject())
        {
            Assert.Equal("Healthy", check.Value.GetProperty("status").GetString());
            Assert.False(check.Value.TryGetProperty("error", out _), check.Name);
        }
    }

    [Fact]
    public async Task Health_is_503_naming_the_failed_check_when_the_data_directory_is_gone()
    {
        await using var app = await PipelineApp.StartAsync();
        using var client = app.CreateClient(withKey: false);
        var moved = app.DataDirectory + "-moved";
        // The keys were read at start; the directory itself is what the check needs.
        Directory.Move(app.DataDirectory, moved);
        try
        {
            using var response = await client.GetAsync("/api/health");
            var body = DurableHttp.Parse(await response.Content.ReadAsStringAsync());

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("Unhealthy", body.GetProperty("status").GetString());
            var check = body.GetProperty("checks").GetProperty("dataDirectory");
            Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
            Assert.False(string.IsNullOrWhiteSpace(check.GetProperty("error").GetString()));
        }
        finally
        {
            Directory.Move(moved, app.DataDirectory);
        }
    }

    [Theory]
    [InlineData("GET", "/api/documents")]
    [InlineData("GET", "/api/documents/some-id")]
    [InlineData("POST", "/api/dossiers")]
    [InlineData("POST", "/api/orchestrators/diagnostics-chain")]
    [InlineData("GET", "/runtime/webhooks/durabletask/instances")]
    [InlineData("GET", "/runtime/webhooks/durabletask/instances/some-id")]
    public async Task Api_and_runtime_routes_without_a_key_are_401_problems_saying_how_to_send_the_key(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST") request.Content = new StringContent("""{"activities":1}""", Encoding.UTF8, "application/json");
        using var response = await fixture.Anonymous.SendAsync(request);

        await AssertUnauthorizedProblem(response);
    }

    [Fact]
    public async Task A_wrong_key_is_401_like_a_missing_one()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/documents");
        request.Headers.Add("x-functions-key", fixture.App.ReadAdminKey() + "x");
        using var response = await fixture.Anonymous.SendAsync(request);

        await AssertUnauthorizedProblem(response);
    }

    [Fact]
    public async Task The_key_is_accepted_in_the_code_query_parameter_too()
    {
        var key = Uri.EscapeDataString(fixture.App.ReadAdminKey());
        using var response = await fixture.Anonymous.GetAsync($"/api/documents?pageSize=1&code={key}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_function_key_opens_the_api_but_not_the_management_routes()
    {
        using var client = fixture.App.CreateClient(withKey: false);
        client.DefaultRequestHeaders.Add("x-functions-key", fixture.App.ReadFunctionKey());

        using (var api = await client.GetAsync("/api/documents?pageSize=1"))
            Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        using (var management = await client.GetAsync("/runtime/webhooks/durabletask/instances?top=1"))
            await AssertUnauthorizedProblem(management);
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
        Assert.DoesNotContain(fixture.App.ReadFunctionKey(), output);
    }

    [Fact]
    public async Task Unknown_routes_answer_problem_json()
    {
        foreach (var path in new[] { "/api/no-such-thing", "/no-such-page.js", "/no/such/page" })
        {
            using var response = await fixture.Client.GetAsync(path);

            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    private static async Task AssertUnauthorizedProblem(HttpResponseMessage response)
    {
        var body = DurableHttp.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        // The host's problem (it names no files); where the key is: the startup lines and the web pages say it.
        Assert.Equal("Missing or wrong function key", body.GetProperty("title").GetString());
        Assert.Equal(401, body.GetProperty("status").GetInt32());
        Assert.Contains("x-functions-key", body.GetProperty("detail").GetString()!);
    }
}
