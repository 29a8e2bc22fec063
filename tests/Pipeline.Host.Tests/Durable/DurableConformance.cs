using System.Text.Json;

namespace Pipeline.Host.Tests.Durable;

/// <summary>
/// The durable semantics every store must hold, run through the host on the test app's functions (Microsoft's
/// worker, Microsoft.DurableTask): the bridge, the durableClient binding and the management API together.
/// </summary>
public abstract class DurableConformance(DurableClient durable)
{
    /// <summary>The client.</summary>
    protected DurableClient Durable => durable;

    [Fact]
    public async Task HelloSequence_runs_orchestrator_and_activities_through_a_durable_client()
    {
        var state = await durable.RunAsync("HelloSequence");
        Assert.Equal("Completed", state.GetProperty("status").GetString());
        Assert.Equal(["Hello Tokyo!", "Hello Seattle!", "Hello London!"], Strings(state.GetProperty("output")));
    }

    [Fact]
    public async Task Fan_out_returns_every_result_in_order()
    {
        var state = await durable.RunAsync("FanOut", 200);
        Assert.Equal("Completed", state.GetProperty("status").GetString());
        Assert.Equal(Enumerable.Range(0, 200).Select(i => i * i), state.GetProperty("output").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public async Task Activities_are_retried_only_when_TaskOptions_ask()
    {
        var state = await durable.RunAsync("Retries", new { key = Guid.NewGuid().ToString("N"), failures = 2 });
        var results = Strings(state.GetProperty("output"));
        Assert.Equal("ok after 3 attempts", results[0]);
        Assert.StartsWith("failed: Flaky failure 1 of", results[1]);
    }

    [Fact]
    public async Task Failed_activity_reaches_the_orchestrator_with_its_type_and_message()
    {
        var state = await durable.RunAsync("CallsPoison", "throw");
        Assert.Equal("failed: System.InvalidOperationException: Poison activity fails on purpose", state.GetProperty("output").GetString());
    }

    [Fact]
    public async Task Sub_orchestration_ids_are_unique_across_ContinueAsNew()
    {
        var state = await durable.RunAsync("Parent", new { generation = 0, generations = 3, childIds = Array.Empty<string>() });
        Assert.Equal("Completed", state.GetProperty("status").GetString());
        var ids = Strings(state.GetProperty("output"));
        Assert.Equal(6, ids.Count);
        Assert.Equal(6, ids.Distinct().Count());
    }

    [Fact]
    public async Task Events_raised_before_start_and_while_not_waiting_are_delivered()
    {
        // Scheduled to start in 2 s: both events arrive before it runs, B before A although it waits for A first.
        var id = await durable.StartAsync("WaitForEvents", new[] { "A", "B" }, "?delaySeconds=2");
        await durable.RaiseAsync(id, "B", "b");
        await durable.RaiseAsync(id, "A", "a");
        var status = await durable.WaitForFinishAsync(id);
        Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
        Assert.Equal(["a", "b"], Strings(status.GetProperty("output")));
    }

    [Fact]
    public async Task A_cancelled_wait_does_not_eat_a_later_event()
    {
        var id = await durable.StartAsync("CancelledWait");
        await durable.WaitForAsync(id, s => s.GetProperty("customStatus").ValueKind == JsonValueKind.String && s.GetProperty("customStatus").GetString() == "first wait timed out", "the first wait timed out");
        await durable.RaiseAsync(id, "Go", "late");
        var status = await durable.WaitForFinishAsync(id);
        Assert.Equal("second: late", status.GetProperty("output").GetString());
    }

    [Fact]
    public async Task A_forty_day_timer_is_kept_with_its_due_time()
    {
        var id = await durable.StartAsync("LongTimer", 40.0);
        var status = await durable.WaitForAsync(id, s => s.GetProperty("customStatus").ValueKind == JsonValueKind.String, "the timer is set");
        Assert.Equal("Running", status.GetProperty("runtimeStatus").GetString());
        var history = (await durable.StatusAsync(id, "?showHistory=true"))!.Value.GetProperty("historyEvents");
        // Microsoft.DurableTask splits timers longer than its MaximumTimerInterval (3 days) into chunks: the first one is
        // days ahead, and the orchestration waits on it.
        var timer = history.EnumerateArray().Single(e => e.GetProperty("eventType").GetString() == "TimerCreated");
        var due = timer.GetProperty("fireAt").GetDateTime().ToUniversalTime();
        Assert.InRange(due, DateTime.UtcNow.AddDays(2.9), DateTime.UtcNow.AddDays(40.1));
    }

    [Fact]
    public async Task An_orchestrator_awaiting_a_non_durable_task_fails_saying_so_and_an_event_waiter_is_left_alone()
    {
        var stuck = await durable.StartAsync("AwaitsNonDurableTask");
        var waiting = await durable.StartAsync("WaitForEvents", new[] { "Never" });
        var failed = await durable.WaitForFinishAsync(stuck);
        Assert.Equal("Failed", failed.GetProperty("runtimeStatus").GetString());
        Assert.Contains("awaited a task that is not durable", failed.GetProperty("output").GetString());
        Assert.Equal("Pipeline.NonDurableAwait", failed.GetProperty("failureDetails").GetProperty("errorType").GetString());

        // The waiter got its probe too (it ran as long as the stuck one) and is still Running, waiting.
        await durable.WaitForAsync(waiting, s => History(s).Contains("EventRaised"), "the probe reached the event waiter", TimeSpan.FromSeconds(30), "?showHistory=true");
        var status = await durable.StatusAsync(waiting);
        Assert.Equal("Running", status!.Value.GetProperty("runtimeStatus").GetString());
        await durable.RaiseAsync(waiting, "Never", "at last");
        Assert.Equal(["at last"], Strings((await durable.WaitForFinishAsync(waiting)).GetProperty("output")));
    }

    [Fact]
    public async Task Suspend_resume_terminate_and_purge_through_the_management_api()
    {
        var id = await durable.StartAsync("WaitForEvents", new[] { "A", "B" });
        await durable.WaitForAsync(id, s => s.GetProperty("customStatus").ValueKind == JsonValueKind.String, "running");
        Assert.Equal(202, (int)(await durable.Admin.PostAsync($"runtime/webhooks/durabletask/instances/{id}/suspend?reason=pause", null)).StatusCode);
        await durable.WaitForAsync(id, s => s.GetProperty("runtimeStatus").GetString() == "Suspended", "suspended");
        // An event while suspended waits; it is delivered after resume.
        Assert.Equal(202, (int)(await durable.Admin.PostAsync($"runtime/webhooks/durabletask/instances/{id}/raiseEvent/A", DurableClient.Json("a"))).StatusCode);
        Assert.Equal(202, (int)(await durable.Admin.PostAsync($"runtime/webhooks/durabletask/instances/{id}/resume?reason=go", null)).StatusCode);
        await durable.WaitForAsync(id, s => s.GetProperty("customStatus").GetString() == "waiting for B", "resumed and got A");

        // Purging a running instance is refused; terminate, then purge.
        Assert.Equal(409, (int)(await durable.Admin.DeleteAsync($"runtime/webhooks/durabletask/instances/{id}")).StatusCode);
        Assert.Equal(202, (int)(await durable.Admin.PostAsync($"runtime/webhooks/durabletask/instances/{id}/terminate?reason=enough", null)).StatusCode);
        var terminated = await durable.WaitForFinishAsync(id);
        Assert.Equal("Terminated", terminated.GetProperty("runtimeStatus").GetString());
        Assert.Equal("enough", terminated.GetProperty("output").GetString());
        Assert.Equal(410, (int)(await durable.Admin.PostAsync($"runtime/webhooks/durabletask/instances/{id}/raiseEvent/B", DurableClient.Json("b"))).StatusCode);
        using var purge = await durable.Admin.DeleteAsync($"runtime/webhooks/durabletask/instances/{id}");
        Assert.Equal("""{"instancesDeleted":1}""", await purge.Content.ReadAsStringAsync());
        Assert.Null(await durable.StatusAsync(id));
    }

    /// <summary>The strings of a JSON array.</summary>
    protected static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private static string History(JsonElement status)
        => status.TryGetProperty("historyEvents", out var events) ? string.Join(",", events.EnumerateArray().Select(e => e.GetProperty("eventType").GetString())) : "";
}

/// <summary>The conformance tests on the default store (SQLite).</summary>
public sealed class SqliteDurableConformance(SqliteDurableHost host) : DurableConformance(host.Client), IClassFixture<SqliteDurableHost>;

/// <summary>The conformance tests on PostgreSQL (PIPELINE_DURABLE__POSTGRES).</summary>
public sealed class PostgresDurableConformance(PostgresDurableHost host) : DurableConformance(host.Client), IClassFixture<PostgresDurableHost>;
