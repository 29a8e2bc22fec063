using System.Net;

namespace Pipeline.Host.Tests;

/// <summary>Auth levels as in Azure: anonymous, function (function key or master key), admin (master key only).</summary>
public sealed class AuthTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private HostProcess Host => fixture.Host;

    [Fact]
    public async Task Anonymous_function_needs_no_key()
    {
        using var client = Host.CreateClient();
        Assert.Equal("anonymous ok", await client.GetStringAsync("auth/anonymous"));
    }

    [Fact]
    public async Task Function_level_takes_the_function_key_or_the_master_key_in_header_or_query()
    {
        using var withFunctionKey = Host.CreateClient(Host.FunctionKey);
        Assert.Equal("function ok", await withFunctionKey.GetStringAsync("auth/function"));
        using var withMasterKey = Host.CreateClient(Host.MasterKey);
        Assert.Equal("function ok", await withMasterKey.GetStringAsync("auth/function"));
        using var client = Host.CreateClient();
        Assert.Equal("function ok", await client.GetStringAsync($"auth/function?code={Uri.EscapeDataString(Host.FunctionKey)}"));
        Assert.Equal("function ok", await client.GetStringAsync($"auth/function?code={Uri.EscapeDataString(Host.MasterKey)}"));
    }

    [Fact]
    public async Task Admin_level_takes_only_the_master_key()
    {
        using var withMasterKey = Host.CreateClient(Host.MasterKey);
        Assert.Equal("admin ok", await withMasterKey.GetStringAsync("auth/admin"));
        using var client = Host.CreateClient();
        Assert.Equal("admin ok", await client.GetStringAsync($"auth/admin?code={Uri.EscapeDataString(Host.MasterKey)}"));

        using var withFunctionKey = Host.CreateClient(Host.FunctionKey);
        await Problems.AssertProblemAsync(await withFunctionKey.GetAsync("auth/admin"), HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("auth/function", null)]
    [InlineData("auth/function", "wrong-key")]
    [InlineData("auth/admin", null)]
    [InlineData("auth/admin", "wrong-key")]
    [InlineData("upload", "wrong-key")]
    public async Task Missing_or_wrong_key_is_a_generic_401_problem(string path, string? key)
    {
        using var client = Host.CreateClient(key);
        var response = path == "upload" ? await client.PostAsync(path, new StringContent("x")) : await client.GetAsync(path);
        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("Missing or wrong function key", problem.Title());
        var body = problem.GetRawText();
        Assert.DoesNotContain(Host.DataDirectory, body);
        Assert.DoesNotContain(".key", body);
        Assert.DoesNotContain(Host.MasterKey, body);
    }

    [Fact]
    public async Task Key_files_are_owner_only()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Host.DataDirectory));
        foreach (var file in new[] { "admin.key", "function.key" })
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Host.DataDirectory, file)));
        Assert.NotEqual(Host.MasterKey, Host.FunctionKey);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task FunctionRpc_is_not_served_on_the_public_listener()
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Host.Port}/") };
        using var request = new HttpRequestMessage(HttpMethod.Post, "AzureFunctionsRpcMessages.FunctionRpc/EventStream") { Content = new ByteArrayContent([0, 0, 0, 0, 0]) };
        request.Content.Headers.ContentType = new("application/grpc");
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
