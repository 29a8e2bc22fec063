using System.Globalization;
using Pipeline.Testing;

namespace Pipeline.Host.Tests;

/// <summary>
/// A worker never outlives its host: not when the host is SIGKILLed (it cannot send WorkerTerminate, and Microsoft's
/// worker keeps running when its stream breaks), not when it stops normally, not when a test disposes it.
/// </summary>
public sealed class WorkerLifetimeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Sigkilled_host_takes_its_worker_with_it()
    {
        await using var host = await HostProcess.StartAsync();
        var started = await StartedProcessesAsync(host);

        host.Process.Kill();
        Assert.True(await host.Process.WaitForExitAsync(Deadline), "The host did not die after SIGKILL.");

        await AssertAllGoneAsync(host, started, "after the host was SIGKILLed");
    }

    [Fact]
    public async Task Host_stopped_normally_leaves_no_process_behind()
    {
        await using var host = await HostProcess.StartAsync();
        var started = await StartedProcessesAsync(host);

        host.Process.Terminate();
        Assert.True(await host.Process.WaitForExitAsync(TimeSpan.FromSeconds(60)), "The host did not exit after SIGTERM.");
        Assert.Equal(0, host.Process.ExitCode);

        await AssertAllGoneAsync(host, started, "after the host stopped");
    }

    [Fact]
    public async Task Disposed_host_fixture_leaves_no_process_behind()
    {
        var host = await HostProcess.StartAsync();
        var started = await StartedProcessesAsync(host);

        await host.DisposeAsync();

        await AssertAllGoneAsync(host, started, "after the test disposed the host");
    }

    /// <summary>The worker (the pid its function reports) and whatever else the host started (its watchdog).</summary>
    private static async Task<IReadOnlyList<int>> StartedProcessesAsync(HostProcess host)
    {
        using var client = host.CreateClient();
        var worker = int.Parse(await client.GetStringAsync("pid"), CultureInfo.InvariantCulture);
        var children = ProcessTree.ChildrenOf(host.Process.Id);
        Assert.Contains(worker, children);
        Assert.True(ProcessTree.IsRunning(worker, "--functions-worker-id"), $"pid {worker} is not a running worker.");
        return children;
    }

    private static async Task AssertAllGoneAsync(HostProcess host, IReadOnlyList<int> started, string when)
    {
        await host.PollAsync(() => Task.FromResult(!started.Any(ProcessTree.IsRunning)),
            $"the processes the host started ({string.Join(", ", started)}) are gone {when}", Deadline);
    }
}
