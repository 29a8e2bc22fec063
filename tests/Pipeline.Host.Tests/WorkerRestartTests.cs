using System.Net;

namespace Pipeline.Host.Tests;

/// <summary>A worker that dies is restarted; what was in flight fails at once and cleanly; later requests succeed.</summary>
public sealed class WorkerRestartTests
{
    [Fact]
    public async Task Worker_that_kills_itself_fails_the_request_cleanly_and_is_restarted()
    {
        await using var host = await HostProcess.StartAsync();
        using var client = host.CreateClient();
        var firstPid = await client.GetStringAsync("pid");

        var problem = await Problems.AssertProblemAsync(await client.GetAsync("crash"), HttpStatusCode.ServiceUnavailable);
        Assert.Contains("worker process", problem.Detail());

        // Requests that arrive while the new worker starts wait for it (bounded), then succeed.
        var secondPid = await client.GetStringAsync("pid");
        Assert.NotEqual(firstPid, secondPid);
        Assert.Equal("Hello Ada", await client.GetStringAsync("hello/Ada"));
        await host.WaitForOutputAsync("TestApp crash on purpose");
        await host.WaitForOutputAsync("stopped serving");
    }

    [Fact]
    public async Task Worker_killed_from_outside_fails_in_flight_requests_at_once_and_comes_back()
    {
        await using var host = await HostProcess.StartAsync();
        using var client = host.CreateClient();
        var pid = int.Parse(await client.GetStringAsync("pid"), System.Globalization.CultureInfo.InvariantCulture);

        var inFlight = client.GetAsync("slow/600000");
        await host.WaitForOutputAsync("TestApp slow request started: 600000 ms");
        System.Diagnostics.Process.GetProcessById(pid).Kill();

        var problem = await Problems.AssertProblemAsync(await inFlight.WaitAsync(TimeSpan.FromSeconds(30)), HttpStatusCode.ServiceUnavailable);
        Assert.Contains("stopped", problem.Detail());
        await host.PollAsync(async () => (await client.GetAsync("pid")).IsSuccessStatusCode, "a new worker serves", TimeSpan.FromSeconds(60));
        Assert.NotEqual(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), await client.GetStringAsync("pid"));
        await host.WaitForOutputAsync("exited with code");
    }
}
