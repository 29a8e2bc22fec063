using System.Net;
using System.Text.Json;

namespace Pipeline.Host.Tests;

/// <summary>What the function sees of the request and what the caller sees of the function's answer.</summary>
public sealed class ForwardingTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private HostProcess Host => fixture.Host;

    [Fact]
    public async Task Function_sees_method_path_query_headers_cookies_and_the_real_client()
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = Host.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Patch, "echo/some/path?q=1&q=2&name=x%20y");
        request.Headers.Add("Cookie", "a=1; b=2");
        request.Headers.Add("X-Multi", ["one", "two"]);
        request.Headers.Add("X-Forwarded-For", "6.6.6.6");
        request.Headers.Add("x-ms-invocation-id", "chosen-by-the-client");
        var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var seen = echo.RootElement;

        Assert.Equal("PATCH", seen.GetProperty("method").GetString());
        Assert.Equal("/testapi/echo/some/path", seen.GetProperty("path").GetString());
        Assert.Equal(["1", "2"], seen.GetProperty("query").GetProperty("q").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("x y", seen.GetProperty("query").GetProperty("name")[0].GetString());
        Assert.Equal("1", seen.GetProperty("cookies").GetProperty("a").GetString());
        Assert.Equal("2", seen.GetProperty("cookies").GetProperty("b").GetString());
        Assert.Equal("one, two", string.Join(", ", seen.GetProperty("headers").GetProperty("x-multi").EnumerateArray().Select(v => v.GetString())));
        // The client's own address and the Host it asked for, not the host's loopback hop nor a forged header.
        Assert.Equal("127.0.0.1", seen.GetProperty("remoteIp").GetString());
        Assert.Equal($"127.0.0.1:{Host.Port}", seen.GetProperty("host").GetString());
        Assert.Equal("http", seen.GetProperty("scheme").GetString());
        var invocationId = seen.GetProperty("headers").GetProperty("x-ms-invocation-id")[0].GetString();
        Assert.NotEqual("chosen-by-the-client", invocationId);
        Assert.True(Guid.TryParse(invocationId, out _));
    }

    [Fact]
    public async Task Status_code_headers_and_multiple_cookies_pass_through()
    {
        using var client = Host.CreateClient();
        var response = await client.GetAsync("status/418");
        Assert.Equal((HttpStatusCode)418, response.StatusCode);
        Assert.Equal("status 418", await response.Content.ReadAsStringAsync());
        Assert.Equal("status", response.Headers.GetValues("x-test-app").Single());
        Assert.Equal(["first=1; path=/", "second=2; path=/"], response.Headers.GetValues("Set-Cookie").Order());
    }

    [Fact]
    public async Task Function_problem_passes_through_untouched()
    {
        using var client = Host.CreateClient();
        var problem = await Problems.AssertProblemAsync(await client.GetAsync("problem"), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("The test app refuses this", problem.Title());
        Assert.Equal("on purpose", problem.Detail());
    }

    [Fact]
    public async Task No_content_answer_passes_through()
    {
        using var client = Host.CreateClient();
        var response = await client.DeleteAsync("nothing");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Function_that_throws_is_a_500_problem_without_the_exception()
    {
        using var client = Host.CreateClient();
        var problem = await Problems.AssertProblemAsync(await client.GetAsync("throw"), HttpStatusCode.InternalServerError);
        Assert.Equal("Function 'Throw' failed", problem.Title());
        Assert.DoesNotContain("on purpose", problem.GetRawText());
        await Host.WaitForOutputAsync("TestApp failure on purpose");
        // The worker is still there.
        Assert.Equal("Hello Ada", await client.GetStringAsync("hello/Ada"));
    }

    [Fact]
    public async Task Worker_logs_reach_the_host_log_with_level_and_exception()
    {
        using var client = Host.CreateClient();
        var marker = Guid.NewGuid().ToString("N");
        Assert.Equal("logged", await client.GetStringAsync($"log/{marker}"));
        await Host.WaitForOutputAsync($"TestApp warning {marker}");
        await Host.WaitForOutputAsync($"TestApp exception {marker}");
        var lines = Host.Process.Output.Split('\n');
        Assert.Contains(lines, l => l.Contains("warn: Pipeline.Host.TestApp.FailureFunctions", StringComparison.Ordinal) && l.Contains($"TestApp warning {marker}", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("fail: Pipeline.Host.TestApp.FailureFunctions", StringComparison.Ordinal) && l.Contains($"TestApp exception {marker}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Worker_gets_the_data_directory_and_not_the_hosts_listen_address()
    {
        using var client = Host.CreateClient();
        Assert.Equal(Host.DataDirectory, await client.GetStringAsync("environment/PIPELINE_DATA"));
        Assert.Equal("dotnet-isolated", await client.GetStringAsync("environment/FUNCTIONS_WORKER_RUNTIME"));
        Assert.Equal("(unset)", await client.GetStringAsync("environment/ASPNETCORE_URLS"));
    }
}
