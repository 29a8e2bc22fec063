namespace Pipeline.Host.Tests;

/// <summary>A wrong configuration stops the host at start with a message naming what to fix.</summary>
public sealed class ConfigurationTests
{
    [Fact]
    public async Task Wrong_function_timeout_stops_the_host_naming_the_key()
    {
        var (exitCode, output) = await HostProcess.RunExpectingFailureAsync("""{ "version": "2.0", "functionTimeout": "ten minutes", "extensions": { "http": { "routePrefix": "testapi" } } }""");
        Assert.Equal(2, exitCode);
        Assert.Contains("functionTimeout 'ten minutes'", output);
    }

    [Fact]
    public async Task Wrong_host_setting_from_the_environment_stops_the_host_naming_the_key()
    {
        var (exitCode, output) = await HostProcess.RunExpectingFailureAsync(environment: new Dictionary<string, string?> { ["PIPELINE_HOST__DRAINTIMEOUT"] = "02:00:00" });
        Assert.Equal(2, exitCode);
        Assert.Contains("pipeline.host.drainTimeout", output);
    }

    [Fact]
    public async Task Route_prefix_the_worker_does_not_share_stops_the_host()
    {
        var (exitCode, output) = await HostProcess.RunExpectingFailureAsync("""{ "version": "2.0", "extensions": { "http": { "routePrefix": "other" } } }""");
        Assert.Equal(2, exitCode);
        Assert.Contains("routePrefix", output);
        Assert.Contains("\"other\"", output);
    }

    [Fact]
    public async Task Missing_app_stops_the_host_saying_what_to_pass()
    {
        var (exitCode, output) = await HostProcess.RunExpectingFailureAsync(args: []);
        Assert.Equal(2, exitCode);
        Assert.Contains("--app", output);
    }
}
