using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace Pipeline.Functions.Tests;

/// <summary>SIGKILL of the host and its worker mid-run, restart on the same data: every instance finishes, each step recorded once (history in the Durable Functions shape: TaskScheduled / TaskCompleted).</summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private const int Instances = 20;
    private const int Steps = 10;

    [Fact]
    public async Task Chains_killed_mid_run_complete_after_restart_with_each_step_recorded_exactly_once()
    {
        // Short leases so the dead process's claimed work is handed out again within seconds.
        var workingDirectory = PipelineApp.CreateWorkingDirectory(json => json.Replace("\"leaseDuration\": \"00:00:30\"", "\"leaseDuration\": \"00:00:03\""));
        try
        {
            Assert.Contains("00:00:03", File.ReadAllText(Path.Combine(workingDirectory, "host.json")));
            var prefix = $"crash-{Guid.NewGuid():N}-";
            var ids = Enumerable.Range(0, Instances).Select(i => $"{prefix}{i:D2}").ToList();

            await using (var first = await PipelineApp.StartAsync(workingDirectory))
            {
                using var client = first.CreateClient();
                await Task.WhenAll(ids.Select(id => client.StartAcceptedAsync("diagnostics-chain", $$"""{"activities":{{Steps}},"delayMs":100}""", id)));

                var atKill = await WaitUntilMidRun(client, prefix);
                await first.CrashAsync();
                output.WriteLine($"Killed pid {first.Process.Id} with progress: {string.Join(", ", atKill.Select(p => $"{p.Key[^2..]}={p.Value}"))}");
                Assert.True(atKill.Values.Any(p => p >= 2), "some instance should have progressed before the kill");
                Assert.True(atKill.Values.Any(p => p < Steps), "not every instance should have finished before the kill");
            }

            await using var second = await PipelineApp.StartAsync(workingDirectory);
            using var after = second.CreateClient();
            foreach (var id in ids)
            {
                var uri = $"/runtime/webhooks/durabletask/instances/{id}";
                var status = await after.WaitForFinishAsync(uri, TimeSpan.FromSeconds(90));
                Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
                Assert.Equal($$"""{"completed":{{Steps}}}""", DurableHttp.Raw(status.GetProperty("output")));

                var (code, withHistory) = await after.GetStatusAsync($"{uri}?showHistory=true");
                Assert.Equal(HttpStatusCode.OK, code);
                var history = withHistory.GetProperty("historyEvents").EnumerateArray().ToList();
                var scheduled = history.Where(e => Type(e) == "TaskScheduled").Select(e => Id(e, "eventId")).ToList();
                var completed = history.Where(e => Type(e) == "TaskCompleted").Select(e => Id(e, "taskScheduledId")).ToList();

                Assert.True(scheduled.Count == Steps, $"{id}: {scheduled.Count} TaskScheduled events, expected {Steps}");
                Assert.True(completed.Count == Steps, $"{id}: {completed.Count} TaskCompleted events, expected {Steps}");
                Assert.True(completed.Distinct().Count() == completed.Count, $"{id}: a step's completion was recorded twice: {string.Join(",", completed)}");
                Assert.Equal(scheduled.Order(), completed.Order());
            }
        }
        finally
        {
            PipelineApp.DeleteDirectory(workingDirectory);
        }
    }

    /// <summary>Polls the list until some instance has done at least 2 steps; returns each instance's progress then.</summary>
    private static async Task<Dictionary<string, int>> WaitUntilMidRun(HttpClient client, string prefix)
    {
        var clock = Stopwatch.StartNew();
        var progress = new Dictionary<string, int>();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            using var response = await client.GetAsync($"/runtime/webhooks/durabletask/instances?instanceIdPrefix={prefix}&top=100");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            progress = DurableHttp.Parse(await response.Content.ReadAsStringAsync()).EnumerateArray()
                .ToDictionary(s => s.GetProperty("instanceId").GetString()!, s => DurableHttp.ProgressOf(s));
            if (progress.Values.Any(p => p >= 2)) return progress;
            await Task.Delay(25);
        }
        throw new TimeoutException($"No instance reached 2 steps within 30 s: {string.Join(", ", progress)}");
    }

    private static string? Type(JsonElement historyEvent) => historyEvent.GetProperty("eventType").GetString();

    // The host writes history events as protobuf JSON, which leaves out a field holding its default: an absent id is 0.
    private static int Id(JsonElement historyEvent, string name) => historyEvent.TryGetProperty(name, out var id) ? id.GetInt32() : 0;
}
