namespace Pipeline.Host.Tests;

/// <summary>SIGTERM: in-flight requests finish, the worker is told to stop, the host exits cleanly.</summary>
public sealed class GracefulStopTests
{
    [Fact]
    public async Task Sigterm_lets_in_flight_requests_finish_then_stops_the_worker()
    {
        await using var host = await HostProcess.StartAsync();
        using var client = host.CreateClient();
        var workerPid = int.Parse(await client.GetStringAsync("pid"), System.Globalization.CultureInfo.InvariantCulture);

        var inFlight = client.GetStringAsync("slow/3000");
        await host.WaitForOutputAsync("TestApp slow request started: 3000 ms");
        host.Process.Terminate();

        Assert.Equal("slept 3000", await inFlight.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.True(await host.Process.WaitForExitAsync(TimeSpan.FromSeconds(60)), "The host did not exit after SIGTERM.");
        Assert.Equal(0, host.Process.ExitCode);
        await host.PollAsync(() => Task.FromResult(!ProcessExists(workerPid)), "the worker process is gone", TimeSpan.FromSeconds(10));
        Assert.Contains($"Worker (pid {workerPid}) stopped", host.Process.Output);
    }

    private static bool ProcessExists(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
