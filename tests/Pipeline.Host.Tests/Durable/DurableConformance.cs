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

    /// <summary>A worker killed while an orchestration's activities run: the host restarts it, and the work the dead
    /// worker held is handed out again, so the orchestration completes with every result exactly once.</summary>
    protected async Task WorkerKilledMidRunAsync()
    {
        var id = await durable.StartAsync("Recorded", 60);
        var log = Path.Combine(durable.Host.DataDirectory, "record.log");
        await durable.Host.PollAsync(() => Task.FromResult(File.Exists(log) && File.ReadAllLines(log).Count(l => l.StartsWith(id, StringComparison.Ordinal)) >= 10), "some activities ran", TimeSpan.FromSeconds(60));
        var pid = (await durable.HostStatusAsync()).GetProperty("worker").GetProperty("processId").GetInt32();
        System.Diagnostics.Process.GetProcessById(pid).Kill();

        // A bound on completion, not speed: Azure Storage on a busy Azurite has needed over 90 s for the 60 activities.
        var status = await durable.WaitForFinishAsync(id, TimeSpan.FromMinutes(4));
        Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
        Assert.Equal(Enumerable.Range(0, 60).Select(i => $"{id}:{i}"), Strings(status.GetProperty("output")));
        Assert.NotEqual(pid, (await durable.HostStatusAsync()).GetProperty("worker").GetProperty("processId").GetInt32());
    }

    /// <summary>The strings of a JSON array.</summary>
    protected static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private static string History(JsonElement status)
        => status.TryGetProperty("historyEvents", out var events) ? string.Join(",", events.EnumerateArray().Select(e => e.GetProperty("eventType").GetString())) : "";
}

/// <summary>The conformance tests on the default store (SQLite), plus what does not depend on the store.</summary>
public sealed class SqliteDurableConformance(SqliteDurableHost host) : DurableConformance(host.Client), IClassFixture<SqliteDurableHost>
{
    [Fact]
    public async Task Management_api_starts_only_public_orchestrations_and_answers_the_check_status_payload()
    {
        using var functions = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Durable.Host.Port}/") };
        functions.DefaultRequestHeaders.Add("x-functions-key", Durable.Host.FunctionKey);
        using var started = await functions.PostAsync("api/orchestrators/HelloSequence", null);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, started.StatusCode);
        using var payload = JsonDocument.Parse(await started.Content.ReadAsStringAsync());
        var id = payload.RootElement.GetProperty("id").GetString()!;
        var expected = $"http://127.0.0.1:{Durable.Host.Port}/runtime/webhooks/durabletask/instances/{id}";
        Assert.Equal(expected, payload.RootElement.GetProperty("statusQueryGetUri").GetString());
        Assert.Equal(expected, started.Headers.Location!.ToString());
        Assert.Equal($"{expected}/raiseEvent/{{eventName}}", payload.RootElement.GetProperty("sendEventPostUri").GetString());
        foreach (var link in new[] { "terminatePostUri", "purgeHistoryDeleteUri", "suspendPostUri", "resumePostUri" })
            Assert.StartsWith(expected, payload.RootElement.GetProperty(link).GetString());
        Assert.Equal("Completed", (await Durable.WaitForFinishAsync(id)).GetProperty("runtimeStatus").GetString());

        var refused = await Problems.AssertProblemAsync(await functions.PostAsync("api/orchestrators/Retries", null), System.Net.HttpStatusCode.Forbidden);
        Assert.Contains("Retries", refused.Title());
        using var anonymous = new HttpClient { BaseAddress = functions.BaseAddress };
        await Problems.AssertProblemAsync(await anonymous.PostAsync("api/orchestrators/HelloSequence", null), System.Net.HttpStatusCode.Unauthorized);
        // The instance routes take the master key only.
        await Problems.AssertProblemAsync(await functions.GetAsync($"runtime/webhooks/durabletask/instances/{id}"), System.Net.HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Management_routes_refuse_to_change_an_internal_workflow()
    {
        var id = await Durable.StartAsync("WaitForEvents", new[] { "A" });
        // WaitForEvents is public; CancelledWait is not.
        var internalId = await Durable.StartAsync("CancelledWait");
        var path = $"runtime/webhooks/durabletask/instances/{internalId}";
        foreach (var (method, route) in new[] { ("POST", "/raiseEvent/Go"), ("POST", "/terminate"), ("POST", "/suspend"), ("POST", "/resume"), ("POST", "/rewind"), ("DELETE", "") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path + route) { Content = method == "POST" ? DurableClient.Json("x") : null };
            var problem = await Problems.AssertProblemAsync(await Durable.Admin.SendAsync(request), System.Net.HttpStatusCode.Forbidden);
            Assert.Contains("internal workflow (CancelledWait)", problem.Title());
        }
        // Reading it is allowed; it was not changed.
        var status = await Durable.StatusAsync(internalId, "?showHistory=true");
        Assert.DoesNotContain("\"Go\"", status!.Value.GetRawText());
        await Problems.AssertProblemAsync(await Durable.Admin.GetAsync("runtime/webhooks/durabletask/instances/no-such-instance"), System.Net.HttpStatusCode.NotFound);
        Assert.Equal(202, (int)(await Durable.Admin.PostAsync($"runtime/webhooks/durabletask/instances/{id}/raiseEvent/A", DurableClient.Json("a"))).StatusCode);
        await Durable.WaitForFinishAsync(id);
    }

    [Fact]
    public async Task Instance_list_pages_with_the_continuation_token_and_refuses_a_forged_one()
    {
        var prefix = "page-" + Guid.NewGuid().ToString("N")[..8];
        foreach (var n in Enumerable.Range(0, 3))
        {
            using var _ = await Durable.Functions.PostAsync($"durable/start/HelloSequence?instanceId={prefix}-{n}", null);
        }
        var seen = new List<string>();
        string? token = null;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"runtime/webhooks/durabletask/instances?top=2&instanceIdPrefix={prefix}");
            if (token is not null) request.Headers.Add("x-ms-continuation-token", token);
            using var response = await Durable.Admin.SendAsync(request);
            response.EnsureSuccessStatusCode();
            seen.AddRange(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Select(e => e.GetProperty("instanceId").GetString()!));
            token = response.Headers.TryGetValues("x-ms-continuation-token", out var values) ? values.Single() : null;
        }
        while (token is not null);
        Assert.Equal(Enumerable.Range(0, 3).Select(n => $"{prefix}-{n}").Order(), seen.Order());

        using var forged = new HttpRequestMessage(HttpMethod.Get, "runtime/webhooks/durabletask/instances?top=2");
        forged.Headers.Add("x-ms-continuation-token", "not-a-token");
        await Problems.AssertProblemAsync(await Durable.Admin.SendAsync(forged), System.Net.HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Host_status_reports_the_worker_and_the_durable_store()
    {
        var status = await Durable.HostStatusAsync();
        Assert.Equal("Running", status.GetProperty("state").GetString());
        Assert.True(status.GetProperty("worker").GetProperty("processId").GetInt32() > 0);
        Assert.Contains(status.GetProperty("worker").GetProperty("functions").EnumerateArray(), f => f.GetProperty("name").GetString() == "HelloSequence");
        var durable = status.GetProperty("durable");
        Assert.Equal("sqlite", durable.GetProperty("store").GetString());
        Assert.True(durable.GetProperty("reachable").GetBoolean());
        Assert.EndsWith("durable.db", durable.GetProperty("location").GetString());
        Assert.Equal(["HelloSequence", "WaitForEvents"], Strings(durable.GetProperty("publicOrchestrations")));
        await Problems.AssertProblemAsync(await Durable.Functions.GetAsync($"http://127.0.0.1:{Durable.Host.Port}/admin/host/status"), System.Net.HttpStatusCode.Unauthorized);
    }

    [Fact]
    public Task Worker_killed_mid_run_is_restarted_and_the_orchestration_completes_with_every_result_once() => WorkerKilledMidRunAsync();
}

/// <summary>The conformance tests on PostgreSQL (PIPELINE_DURABLE__POSTGRES).</summary>
public sealed class PostgresDurableConformance(PostgresDurableHost host) : DurableConformance(host.Client), IClassFixture<PostgresDurableHost>;

/// <summary>
/// The conformance tests on Microsoft's engine (storageProvider azureStorage: TaskHubGrpcServer over
/// DurableTask.AzureStorage, on Azurite), through the same host, bridge, management API and durableClient binding.
/// Every test of the suite runs; the SQLite-only tests that check our host rather than the store (management API
/// routing, continuation-token format) are not repeated.
/// </summary>
public sealed class AzureStorageDurableConformance(AzureStorageDurableHost host) : DurableConformance(host.Client), IClassFixture<AzureStorageDurableHost>
{
    [Fact]
    public async Task Host_status_reports_the_azure_storage_store_without_its_key()
    {
        var durable = (await Durable.HostStatusAsync()).GetProperty("durable");
        Assert.Equal("azureStorage", durable.GetProperty("store").GetString());
        Assert.Equal("testhub", durable.GetProperty("hubName").GetString());
        Assert.True(durable.GetProperty("reachable").GetBoolean(), durable.GetRawText());
        var location = durable.GetProperty("location").GetString()!;
        Assert.Contains($"127.0.0.1:{host.Azurite.QueuePort}", location);
        Assert.DoesNotContain("AccountKey", location, StringComparison.OrdinalIgnoreCase);
        // Microsoft's engine reports no backlog; the host says so (null) rather than inventing figures.
        Assert.Equal(System.Text.Json.JsonValueKind.Null, durable.GetProperty("pendingActivities").ValueKind);
    }

    [Fact]
    public Task Worker_killed_mid_run_is_restarted_and_the_orchestration_completes_with_every_result_once() => WorkerKilledMidRunAsync();
}
