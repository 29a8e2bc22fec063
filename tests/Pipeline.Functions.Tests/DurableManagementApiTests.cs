using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Pipeline.Functions.Tests;

/// <summary>The Durable Functions management API (API.md), driven over HTTP with the diagnostic orchestrations.</summary>
public sealed class DurableManagementApiTests(PipelineAppFixture fixture) : IClassFixture<PipelineAppFixture>
{
    private HttpClient Client => fixture.Client;
    private string InstancesBase => $"{fixture.App.BaseAddress.ToString().TrimEnd('/')}/runtime/webhooks/durabletask/instances";

    [Fact]
    public async Task Starting_a_chain_answers_202_with_absolute_management_links_and_Location()
    {
        using var response = await Client.StartAsync("diagnostics-chain", """{"activities":1}""");
        var body = DurableHttp.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = body.GetProperty("id").GetString()!;
        var instance = $"{InstancesBase}/{id}";
        Assert.Equal(instance, body.GetProperty("statusQueryGetUri").GetString());
        Assert.Equal(instance, response.Headers.Location?.ToString());
        Assert.Equal($"{instance}/raiseEvent/{{eventName}}", body.GetProperty("sendEventPostUri").GetString());
        Assert.Equal($"{instance}/terminate?reason={{text}}", body.GetProperty("terminatePostUri").GetString());
        Assert.Equal(instance, body.GetProperty("purgeHistoryDeleteUri").GetString());
        Assert.Equal($"{instance}/suspend?reason={{text}}", body.GetProperty("suspendPostUri").GetString());
        Assert.Equal($"{instance}/resume?reason={{text}}", body.GetProperty("resumePostUri").GetString());
    }

    [Fact]
    public async Task Chain_of_5_completes_with_its_output_input_and_progress_as_json_values()
    {
        var started = await Client.StartAcceptedAsync("diagnostics-chain", """{"activities":5}""");

        var status = await Client.WaitForFinishAsync(started.GetProperty("statusQueryGetUri").GetString()!);

        Assert.Equal("diagnostics-chain", status.GetProperty("name").GetString());
        Assert.Equal(started.GetProperty("id").GetString(), status.GetProperty("instanceId").GetString());
        Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
        Assert.Equal("""{"completed":5}""", DurableHttp.Raw(status.GetProperty("output")));
        Assert.Equal("""{"activities":5}""", DurableHttp.Raw(status.GetProperty("input")));
        Assert.Equal("""{"completed":5,"total":5}""", DurableHttp.Raw(status.GetProperty("customStatus")));
        AssertUtcTime(status.GetProperty("createdTime"));
        AssertUtcTime(status.GetProperty("lastUpdatedTime"));
        Assert.False(status.TryGetProperty("historyEvents", out _));
    }

    [Fact]
    public async Task Fanout_of_200_completes_all_200()
    {
        var started = await Client.StartAcceptedAsync("diagnostics-fanout", """{"activities":200}""");

        var status = await Client.WaitForFinishAsync(started.GetProperty("statusQueryGetUri").GetString()!, TimeSpan.FromSeconds(60));

        Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
        Assert.Equal("""{"completed":200}""", DurableHttp.Raw(status.GetProperty("output")));
        Assert.Equal("""{"completed":200,"total":200}""", DurableHttp.Raw(status.GetProperty("customStatus")));
    }

    [Fact]
    public async Task A_running_chain_answers_202_with_Location_and_shows_its_progress()
    {
        var started = await Client.StartAcceptedAsync("diagnostics-chain", """{"activities":20,"delayMs":100}""");
        var uri = started.GetProperty("statusQueryGetUri").GetString()!;

        var midway = await Client.WaitForStatusAsync(uri,
            (code, body) => code == HttpStatusCode.Accepted && DurableHttp.ProgressOf(body) is >= 1 and < 20,
            what: "a 202 with customStatus.completed between 1 and 19");
        Assert.Equal("Running", midway.GetProperty("runtimeStatus").GetString());
        Assert.Equal(20, midway.GetProperty("customStatus").GetProperty("total").GetInt32());

        using var response = await Client.GetAsync(uri);
        if (response.StatusCode == HttpStatusCode.Accepted) Assert.Equal(uri, response.Headers.Location?.ToString());

        var done = await Client.WaitForFinishAsync(uri);
        Assert.Equal(20, DurableHttp.ProgressOf(done));
    }

    [Fact]
    public async Task Show_history_lists_each_event_with_its_type_and_time()
    {
        var started = await Client.StartAcceptedAsync("diagnostics-chain", """{"activities":3}""");
        var uri = started.GetProperty("statusQueryGetUri").GetString()!;
        await Client.WaitForFinishAsync(uri);

        var (code, status) = await Client.GetStatusAsync($"{uri}?showHistory=true&showInput=false");

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal(JsonValueKind.Null, status.GetProperty("input").ValueKind);
        var events = status.GetProperty("historyEvents").EnumerateArray().ToList();
        Assert.All(events, e =>
        {
            Assert.False(string.IsNullOrEmpty(e.GetProperty("eventType").GetString()));
            AssertUtcTime(e.GetProperty("timestamp"));
        });
        // Durable Functions' event type names.
        Assert.Single(events, e => e.GetProperty("eventType").GetString() == "ExecutionStarted");
        Assert.Single(events, e => e.GetProperty("eventType").GetString() == "ExecutionCompleted");
        Assert.Equal(3, events.Count(e => e.GetProperty("eventType").GetString() == "TaskScheduled"));
        Assert.Equal(3, events.Count(e => e.GetProperty("eventType").GetString() == "TaskCompleted"));
    }

    [Theory]
    [InlineData("{\"activities\": ")]
    [InlineData("not json")]
    [InlineData("{'activities': 1}")]
    public async Task Starting_with_a_body_that_is_not_json_is_a_400_problem(string body)
    {
        using var response = await Client.StartAsync("diagnostics-chain", body);

        var problem = await AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal("The request body is not valid JSON", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Starting_an_orchestrator_that_is_not_public_is_a_403_problem_listing_the_public_ones()
    {
        // Unknown names included: only host.json's managementApi.publicOrchestrations may be started over HTTP.
        using var response = await Client.StartAsync("no-such-orchestrator", """{"activities":1}""");

        var problem = await AssertProblem(response, HttpStatusCode.Forbidden);
        Assert.Contains("no-such-orchestrator", problem.GetProperty("title").GetString());
        Assert.Contains("diagnostics-chain", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("diagnostics-chain", """{"activities":0}""", "activities must be between 1 and 1000")]
    [InlineData("diagnostics-chain", """{"activities":1001}""", "activities must be between 1 and 1000")]
    [InlineData("diagnostics-chain", """{"activities":"five"}""", "activities must be between 1 and 1000")]
    [InlineData("diagnostics-chain", """{"activities":2.5}""", "activities must be between 1 and 1000")]
    [InlineData("diagnostics-chain", """{}""", "activities must be between 1 and 1000")]
    [InlineData("diagnostics-chain", """[5]""", "activities must be between 1 and 1000")]
    [InlineData("diagnostics-chain", null, "activities must be between 1 and 1000")]
    [InlineData("diagnostics-fanout", """{"activities":10001}""", "activities must be between 1 and 10000")]
    [InlineData("diagnostics-fanout", """{"activities":5,"delayMs":60001}""", "delayMs must be between 0 and 60000")]
    [InlineData("diagnostics-chain", """{"activities":5,"delayMs":-1}""", "delayMs must be between 0 and 60000")]
    public async Task Diagnostics_input_out_of_range_fails_the_instance_at_once_naming_the_range(string name, string? body, string message)
    {
        // The host starts public orchestrations without knowing their inputs; the orchestration checks its own and fails
        // before scheduling anything, saying what to send.
        using var response = await Client.StartAsync(name, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202, got {(int)response.StatusCode}: {text}");
        var uri = DurableHttp.Parse(text).GetProperty("statusQueryGetUri").GetString()!;

        var status = await Client.WaitForFinishAsync(uri);
        Assert.Equal("Failed", status.GetProperty("runtimeStatus").GetString());
        Assert.Contains(message, DurableHttp.Raw(status.GetProperty("output")));

        var (_, history) = await Client.GetStatusAsync($"{uri}?showHistory=true");
        Assert.DoesNotContain(history.GetProperty("historyEvents").EnumerateArray(), e => e.GetProperty("eventType").GetString() == "TaskScheduled");
    }

    [Fact]
    public async Task Starting_with_a_chosen_instance_id_uses_it_and_a_second_start_while_it_runs_is_409()
    {
        var id = $"chosen-{Guid.NewGuid():N}";
        var started = await Client.StartAcceptedAsync("diagnostics-chain", """{"activities":100,"delayMs":200}""", id);
        Assert.Equal(id, started.GetProperty("id").GetString());

        using var again = await Client.StartAsync("diagnostics-chain", """{"activities":1}""", id);
        await AssertProblem(again, HttpStatusCode.Conflict);

        await Client.PostAsync($"{started.GetProperty("statusQueryGetUri").GetString()}/terminate?reason=cleanup", null);
    }

    [Fact]
    public async Task Status_of_an_unknown_instance_is_a_404_problem()
    {
        using var response = await Client.GetAsync($"/runtime/webhooks/durabletask/instances/{Guid.NewGuid():N}");

        await AssertProblem(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Raising_an_event_answers_202_for_a_running_instance_404_for_unknown_410_for_finished_400_for_bad_json()
    {
        var running = await Client.StartAcceptedAsync("diagnostics-chain", """{"activities":100,"delayMs":200}""");
        var runningUri = running.GetProperty("statusQueryGetUri").GetString()!;
        using (var accepted = await PostJson($"{runningUri}/raiseEvent/Approval", """{"ok":true}"""))
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        using (var badJson = await PostJson($"{runningUri}/raiseEvent/Approval", "{ok"))
            await AssertProblem(badJson, HttpStatusCode.BadRequest);
        await Client.PostAsync($"{runningUri}/terminate?reason=cleanup", null);

        using (var unknown = await PostJson($"/runtime/webhooks/durabletask/instances/{Guid.NewGuid():N}/raiseEvent/Approval", "{}"))
            await AssertProblem(unknown, HttpStatusCode.NotFound);

        var finished = await Client.StartAcceptedAsync("diagnostics-chain", """{"activities":1}""");
        var finishedUri = finished.GetProperty("statusQueryGetUri").GetString()!;
        await Client.WaitForFinishAsync(finishedUri);
        using (var gone = await PostJson($"{finishedUri}/raiseEvent/Approval", "{}"))
            await AssertProblem(gone, HttpStatusCode.Gone);
    }

    [Fact]
    public async Task Terminating_a_long_chain_ends_it_Terminated_with_the_reason()
    {
        var started = await Client.StartAcceptedAsync("diagnostics-chain", """{"activities":1000,"delayMs":1000}""");
        var uri = started.GetProperty("statusQueryGetUri").GetString()!;
        await Client.WaitForRuntimeStatusAsync(uri, "Running");

        using var response = await Client.PostAsync($"{uri}/terminate?reason=operator%20said%20stop", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var status = await Client.WaitForFinishAsync(uri);
        Assert.Equal("Terminated", status.GetProperty("runtimeStatus").GetString());
        Assert.Contains("operator said stop", DurableHttp.Raw(status.GetProperty("output")));

        using var again = await Client.PostAsync($"{uri}/terminate?reason=again", null);
        await AssertProblem(again, HttpStatusCode.Gone);
    }

    [Fact]
    public async Task Terminate_suspend_and_resume_of_an_unknown_instance_are_404_problems()
    {
        foreach (var command in new[] { "terminate", "suspend", "resume" })
        {
            using var response = await Client.PostAsync($"/runtime/webhooks/durabletask/instances/{Guid.NewGuid():N}/{command}?reason=x", null);
            await AssertProblem(response, HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public async Task A_suspended_chain_makes_no_progress_until_resumed_then_completes()
    {
        var started = await Client.StartAcceptedAsync("diagnostics-chain", """{"activities":10,"delayMs":150}""");
        var uri = started.GetProperty("statusQueryGetUri").GetString()!;
        await Client.WaitForStatusAsync(uri, (_, body) => DurableHttp.ProgressOf(body) >= 1, what: "some progress");

        using (var suspend = await Client.PostAsync($"{uri}/suspend?reason=pause", null))
            Assert.Equal(HttpStatusCode.Accepted, suspend.StatusCode);
        var suspended = await Client.WaitForRuntimeStatusAsync(uri, "Suspended");
        var progress = DurableHttp.ProgressOf(suspended);

        await Task.Delay(1000); // several steps' worth of time
        var (code, still) = await Client.GetStatusAsync(uri);
        Assert.Equal(HttpStatusCode.Accepted, code);
        Assert.Equal("Suspended", still.GetProperty("runtimeStatus").GetString());
        Assert.Equal(progress, DurableHttp.ProgressOf(still));

        using (var resume = await Client.PostAsync($"{uri}/resume?reason=go", null))
            Assert.Equal(HttpStatusCode.Accepted, resume.StatusCode);
        var done = await Client.WaitForFinishAsync(uri);
        Assert.Equal("Completed", done.GetProperty("runtimeStatus").GetString());
        Assert.Equal("""{"completed":10}""", DurableHttp.Raw(done.GetProperty("output")));
    }

    [Fact]
    public async Task Purging_a_finished_instance_deletes_it_and_then_it_is_404()
    {
        var started = await Client.StartAcceptedAsync("diagnostics-chain", """{"activities":1}""");
        var uri = started.GetProperty("statusQueryGetUri").GetString()!;
        Assert.Equal(uri, started.GetProperty("purgeHistoryDeleteUri").GetString());
        await Client.WaitForFinishAsync(uri);

        using (var purge = await Client.DeleteAsync(uri))
        {
            Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
            Assert.Equal("""{"instancesDeleted":1}""", await purge.Content.ReadAsStringAsync());
        }
        using (var status = await Client.GetAsync(uri))
            await AssertProblem(status, HttpStatusCode.NotFound);
        using (var again = await Client.DeleteAsync(uri))
            await AssertProblem(again, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Purging_a_running_instance_is_a_409_problem()
    {
        var started = await Client.StartAcceptedAsync("diagnostics-chain", """{"activities":100,"delayMs":200}""");
        var uri = started.GetProperty("statusQueryGetUri").GetString()!;

        using var purge = await Client.DeleteAsync(uri);

        await AssertProblem(purge, HttpStatusCode.Conflict);
        await Client.PostAsync($"{uri}/terminate?reason=cleanup", null);
    }

    [Fact]
    public async Task Listing_filters_by_status_and_id_prefix_and_pages_with_the_continuation_token()
    {
        var prefix = $"list-{Guid.NewGuid():N}-";
        var finished = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var started = await Client.StartAcceptedAsync("diagnostics-chain", """{"activities":1}""", $"{prefix}done-{i}");
            finished.Add(started.GetProperty("id").GetString()!);
        }
        var running = (await Client.StartAcceptedAsync("diagnostics-chain", """{"activities":100,"delayMs":200}""", $"{prefix}running"))
            .GetProperty("id").GetString()!;
        foreach (var id in finished) await Client.WaitForFinishAsync($"{InstancesBase}/{id}");
        await Client.WaitForRuntimeStatusAsync($"{InstancesBase}/{running}", "Running");

        var listUri = $"/runtime/webhooks/durabletask/instances?runtimeStatus=Completed&instanceIdPrefix={prefix}&top=2";
        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, listUri);
            if (token is not null) request.Headers.Add("x-ms-continuation-token", token);
            using var response = await Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = DurableHttp.Parse(await response.Content.ReadAsStringAsync()).EnumerateArray().ToList();
            Assert.InRange(page.Count, 1, 2);
            Assert.All(page, s =>
            {
                Assert.Equal("Completed", s.GetProperty("runtimeStatus").GetString());
                Assert.Equal("""{"completed":1}""", DurableHttp.Raw(s.GetProperty("output")));
            });
            seen.AddRange(page.Select(s => s.GetProperty("instanceId").GetString()!));
            token = response.Headers.TryGetValues("x-ms-continuation-token", out var values) ? values.Single() : null;
            pages++;
        } while (token is not null && pages < 10);

        Assert.Equal(2, pages);
        Assert.Equal(finished.Order(), seen.Order());

        using var runningList = await Client.GetAsync($"/runtime/webhooks/durabletask/instances?runtimeStatus=Running,Pending&instanceIdPrefix={prefix}");
        var runningIds = DurableHttp.Parse(await runningList.Content.ReadAsStringAsync()).EnumerateArray()
            .Select(s => s.GetProperty("instanceId").GetString()).ToList();
        Assert.Equal([running], runningIds);

        await Client.PostAsync($"{InstancesBase}/{running}/terminate?reason=cleanup", null);
    }

    [Fact]
    public async Task Listing_with_a_creation_window_excludes_instances_outside_it()
    {
        var prefix = $"window-{Guid.NewGuid():N}-";
        await Client.StartAcceptedAsync("diagnostics-chain", """{"activities":1}""", $"{prefix}a");
        var future = DateTime.UtcNow.AddHours(1).ToString("O", CultureInfo.InvariantCulture);
        var past = DateTime.UtcNow.AddHours(-1).ToString("O", CultureInfo.InvariantCulture);

        var inWindow = await ListIds($"instanceIdPrefix={prefix}&createdTimeFrom={Uri.EscapeDataString(past)}&createdTimeTo={Uri.EscapeDataString(future)}");
        var afterWindow = await ListIds($"instanceIdPrefix={prefix}&createdTimeFrom={Uri.EscapeDataString(future)}");

        Assert.Equal([$"{prefix}a"], inWindow);
        Assert.Empty(afterWindow);
    }

    [Theory]
    [InlineData("runtimeStatus=Sleeping", "runtimeStatus must be")]
    [InlineData("top=0", "top must be between 1 and 1000")]
    [InlineData("top=lots", "top must be between 1 and 1000")]
    [InlineData("createdTimeFrom=yesterday", "createdTimeFrom must be")]
    public async Task Listing_with_bad_parameters_is_a_400_problem_saying_what_is_allowed(string query, string title)
    {
        using var response = await Client.GetAsync($"/runtime/webhooks/durabletask/instances?{query}");

        var problem = await AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.StartsWith(title, problem.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("showHistory=maybe", "showHistory must be true or false")]
    [InlineData("showInput=1", "showInput must be true or false")]
    public async Task Status_with_bad_flags_is_a_400_problem_saying_what_is_allowed(string query, string title)
    {
        var started = await Client.StartAcceptedAsync("diagnostics-chain", """{"activities":1}""");

        using var response = await Client.GetAsync($"{started.GetProperty("statusQueryGetUri").GetString()}?{query}");

        var problem = await AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal(title, problem.GetProperty("title").GetString());
    }

    private async Task<List<string>> ListIds(string query)
    {
        using var response = await Client.GetAsync($"/runtime/webhooks/durabletask/instances?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return DurableHttp.Parse(await response.Content.ReadAsStringAsync()).EnumerateArray()
            .Select(s => s.GetProperty("instanceId").GetString()!).ToList();
    }

    private Task<HttpResponseMessage> PostJson(string uri, string json)
        => Client.PostAsync(uri, new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<JsonElement> AssertProblem(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = DurableHttp.Parse(text);
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }

    private static void AssertUtcTime(JsonElement value)
    {
        var text = value.GetString()!;
        Assert.EndsWith("Z", text);
        Assert.True(DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time), text);
        Assert.Equal(DateTimeKind.Utc, time.Kind);
    }
}
