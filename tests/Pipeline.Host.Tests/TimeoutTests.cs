using System.Net;

namespace Pipeline.Host.Tests;

/// <summary>host.json functionTimeout is enforced per invocation.</summary>
public sealed class TimeoutTests
{
    private const string ShortTimeout = """
        { "version": "2.0", "functionTimeout": "00:00:03", "extensions": { "http": { "routePrefix": "testapi" } } }
        """;

    [Fact]
    public async Task Function_past_the_timeout_is_a_500_problem_and_the_worker_still_serves()
    {
        await using var host = await HostProcess.StartAsync(ShortTimeout);
        using var client = host.CreateClient();
        var pid = await FirstPidAsync(host, client);

        var problem = await Problems.AssertProblemAsync(await client.GetAsync("hang"), HttpStatusCode.InternalServerError);
        Assert.Equal("Function 'Hang' timed out", problem.Title());
        Assert.Contains("functionTimeout (00:00:03)", problem.Detail());

        // It honoured the cancellation: same worker, still serving.
        Assert.Equal(pid, await client.GetStringAsync("pid"));
        Assert.DoesNotContain("Restarting worker", host.Process.Output);
    }

    [Fact]
    public async Task Function_that_ignores_cancellation_gets_its_worker_restarted()
    {
        await using var host = await HostProcess.StartAsync(ShortTimeout, new Dictionary<string, string?> { ["PIPELINE_HOST__CANCELGRACEPERIOD"] = "00:00:01" });
        using var client = host.CreateClient();
        var pid = await FirstPidAsync(host, client);

        var problem = await Problems.AssertProblemAsync(await client.GetAsync("hang-hard"), HttpStatusCode.InternalServerError);
        Assert.Equal("Function 'HangHard' timed out", problem.Title());

        await host.WaitForOutputAsync("Restarting worker");
        await host.PollAsync(async () =>
        {
            var response = await client.GetAsync("pid");
            return response.IsSuccessStatusCode && await response.Content.ReadAsStringAsync() != pid;
        }, "a new worker serves", TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// The worker's pid from its first answer. A cold worker on a busy machine can take longer than this file's 3 s
    /// functionTimeout for its first call, so the first answer is awaited rather than demanded.
    /// </summary>
    private static async Task<string> FirstPidAsync(HostProcess host, HttpClient client)
    {
        var pid = "";
        await host.PollAsync(async () =>
        {
            using var response = await client.GetAsync("pid");
            if (!response.IsSuccessStatusCode) return false;
            pid = await response.Content.ReadAsStringAsync();
            return true;
        }, "the worker answers", TimeSpan.FromSeconds(60));
        return pid;
    }
}
