namespace Pipeline.Durable.Tests.Sidecar;

using Grpc.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using P = Microsoft.DurableTask.Protobuf;

// Terminate, suspend/resume, purge, restart, rewind, queries.
public abstract partial class SidecarBehaviour
{
    private static void WaitForever(DurableTaskRegistry tasks)
    {
        tasks.AddOrchestratorFunc<string>("WaitForever", ctx => ctx.WaitForExternalEvent<string>("Never"));
        tasks.AddOrchestratorFunc<string>("WaitForGo", ctx => ctx.WaitForExternalEvent<string>("Go"));
    }

    [Fact]
    public async Task Terminate_ends_a_running_instance_with_the_reason_as_output()
    {
        var sidecar = await StartSidecarAsync();
        await sidecar.StartWorkerAsync(WaitForever);
        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("WaitForever");
        await sidecar.WaitForStatusAsync(id, OrchestrationRuntimeStatus.Running);

        await sidecar.Client.TerminateInstanceAsync(id, new TerminateInstanceOptions("no longer needed"));
        var result = await sidecar.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Terminated, result.RuntimeStatus);
        Assert.Equal("no longer needed", result.ReadOutputAs<string>());
        var completed = (await ReadHistoryAsync(sidecar, id)).Single(e => e.ExecutionCompleted is not null);
        Assert.Equal(P.OrchestrationStatus.Terminated, completed.ExecutionCompleted.OrchestrationStatus);
    }

    [Fact]
    public async Task Terminate_ends_a_scheduled_instance_before_it_ever_starts()
    {
        var sidecar = await StartSidecarAsync();
        var runs = 0;
        await sidecar.StartWorkerAsync(tasks => tasks.AddOrchestratorFunc<string>("Later", _ =>
        {
            Interlocked.Increment(ref runs);
            return Task.FromResult("ran");
        }));
        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("Later", new StartOrchestrationOptions { StartAt = DateTimeOffset.UtcNow.AddDays(1) });
        Assert.Equal(OrchestrationRuntimeStatus.Pending, (await sidecar.Client.GetInstanceAsync(id))!.RuntimeStatus);

        await sidecar.Client.TerminateInstanceAsync(id, new TerminateInstanceOptions("cancelled before it started"));

        Assert.Equal(OrchestrationRuntimeStatus.Terminated, (await sidecar.WaitForCompletionAsync(id)).RuntimeStatus);
        Assert.Equal(0, runs);
    }

    [Fact]
    public async Task Recursive_terminate_ends_the_sub_orchestrations_too()
    {
        var sidecar = await StartSidecarAsync();
        await sidecar.StartWorkerAsync(tasks =>
        {
            WaitForever(tasks);
            tasks.AddOrchestratorFunc<string>("ParentOfForever", ctx => ctx.CallSubOrchestratorAsync<string>("WaitForever", options: new SubOrchestrationOptions { InstanceId = "forever-child" }));
        });
        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("ParentOfForever");
        await sidecar.WaitForStatusAsync("forever-child", OrchestrationRuntimeStatus.Running);

        await sidecar.Client.TerminateInstanceAsync(id, new TerminateInstanceOptions("shutting the case", Recursive: true));

        Assert.Equal(OrchestrationRuntimeStatus.Terminated, (await sidecar.WaitForCompletionAsync(id)).RuntimeStatus);
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, (await sidecar.WaitForCompletionAsync("forever-child")).RuntimeStatus);
    }

    [Fact]
    public async Task A_suspended_instance_takes_no_events_until_it_is_resumed()
    {
        var sidecar = await StartSidecarAsync();
        await sidecar.StartWorkerAsync(WaitForever);
        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("WaitForGo");
        await sidecar.WaitForStatusAsync(id, OrchestrationRuntimeStatus.Running);

        await sidecar.Client.SuspendInstanceAsync(id, "paperwork missing");
        await sidecar.WaitForStatusAsync(id, OrchestrationRuntimeStatus.Suspended);
        await sidecar.Client.RaiseEventAsync(id, "Go", "went");
        // The event is stored but not deliverable: nothing can run, and the instance is still suspended.
        await SidecarHost.WaitUntilAsync(() => sidecar.Monitor.IsIdleAsync(), () => "the sidecar to be idle");
        Assert.Equal(OrchestrationRuntimeStatus.Suspended, (await sidecar.Client.GetInstanceAsync(id))!.RuntimeStatus);

        await sidecar.Client.ResumeInstanceAsync(id, "found it");
        var result = await sidecar.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal("went", result.ReadOutputAs<string>());
    }

    [Fact]
    public async Task Purge_deletes_finished_instances_and_refuses_running_ones()
    {
        var sidecar = await StartSidecarAsync();
        await sidecar.StartWorkerAsync(tasks =>
        {
            WaitForever(tasks);
            tasks.AddOrchestratorFunc<int, int>("Quick", (_, n) => Task.FromResult(n));
            tasks.AddOrchestratorFunc<int>("WithChild", ctx => ctx.CallSubOrchestratorAsync<int>("Quick", 7, new SubOrchestrationOptions { InstanceId = "purged-child" }));
        });
        var done = new List<string>();
        for (var i = 0; i < 3; i++) done.Add(await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("Quick", i));
        var parent = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("WithChild");
        var running = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("WaitForever");
        foreach (var id in done.Append(parent)) await sidecar.WaitForCompletionAsync(id);
        await sidecar.WaitForStatusAsync(running, OrchestrationRuntimeStatus.Running);

        // The SDK turns the sidecar's FailedPrecondition into InvalidOperationException, with the sidecar's message.
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => sidecar.Client.PurgeInstanceAsync(running));
        Assert.Contains("has not finished", refused.Message);
        Assert.Equal(2, (await sidecar.Client.PurgeInstanceAsync(parent, new PurgeInstanceOptions(Recursive: true))).PurgedInstanceCount);
        Assert.Null(await sidecar.Client.GetInstanceAsync("purged-child"));
        Assert.Equal(1, (await sidecar.Client.PurgeInstanceAsync(done[0])).PurgedInstanceCount);
        Assert.Null(await sidecar.Client.GetInstanceAsync(done[0]));

        var purged = await sidecar.Client.PurgeAllInstancesAsync(new PurgeInstancesFilter(Statuses: [OrchestrationRuntimeStatus.Completed]));

        Assert.Equal(2, purged.PurgedInstanceCount);
        Assert.NotNull(await sidecar.Client.GetInstanceAsync(running));
    }

    [Fact]
    public async Task Restart_runs_a_finished_instance_again_with_its_input()
    {
        var sidecar = await StartSidecarAsync();
        var runs = 0;
        await sidecar.StartWorkerAsync(tasks => tasks.AddOrchestratorFunc<string, string>("Stamp", (_, s) =>
        {
            Interlocked.Increment(ref runs);
            return Task.FromResult(s + "!");
        }));
        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("Stamp", "approved");
        await sidecar.WaitForCompletionAsync(id);

        Assert.Equal(id, await sidecar.Client.RestartAsync(id));
        Assert.Equal("approved!", (await sidecar.WaitForCompletionAsync(id)).ReadOutputAs<string>());
        var other = await sidecar.Client.RestartAsync(id, restartWithNewInstanceId: true);

        Assert.NotEqual(id, other);
        Assert.Equal("approved!", (await sidecar.WaitForCompletionAsync(other)).ReadOutputAs<string>());
    }

    [Fact]
    public async Task Rewind_reruns_the_failed_activity_and_completes_the_instance()
    {
        var sidecar = await StartSidecarAsync();
        var runs = 0;
        await sidecar.StartWorkerAsync(tasks =>
        {
            tasks.AddActivityFunc<string, string>("FailOnce", (_, s) => Interlocked.Increment(ref runs) == 1
                ? Task.FromException<string>(new IOException("disk full"))
                : Task.FromResult(s.ToUpperInvariant()));
            tasks.AddActivityFunc<string, string>("Echo", (_, s) => s);
            tasks.AddOrchestratorFunc<string>("Rewindable", async ctx =>
                await ctx.CallActivityAsync<string>("Echo", "a") + await ctx.CallActivityAsync<string>("FailOnce", "b"));
        });
        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("Rewindable");
        Assert.Equal(OrchestrationRuntimeStatus.Failed, (await sidecar.WaitForCompletionAsync(id)).RuntimeStatus);

        await sidecar.Client.RewindInstanceAsync(id, "disk replaced");
        var result = await sidecar.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal("aB", result.ReadOutputAs<string>());
        Assert.Equal(2, runs);
    }

    [Fact]
    public async Task Rewind_of_a_parent_also_rewinds_its_failed_sub_orchestration()
    {
        var sidecar = await StartSidecarAsync();
        var runs = 0;
        await sidecar.StartWorkerAsync(tasks =>
        {
            tasks.AddActivityFunc<string, string>("FailOnce", (_, s) => Interlocked.Increment(ref runs) == 1
                ? Task.FromException<string>(new IOException("disk full"))
                : Task.FromResult(s.ToUpperInvariant()));
            tasks.AddOrchestratorFunc<string>("RewindableChild", ctx => ctx.CallActivityAsync<string>("FailOnce", "child"));
            tasks.AddOrchestratorFunc<string>("RewindableParent", ctx => ctx.CallSubOrchestratorAsync<string>("RewindableChild",
                options: new SubOrchestrationOptions { InstanceId = "rewound-child" }));
        });
        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("RewindableParent");
        Assert.Equal(OrchestrationRuntimeStatus.Failed, (await sidecar.WaitForCompletionAsync(id)).RuntimeStatus);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, (await sidecar.WaitForCompletionAsync("rewound-child")).RuntimeStatus);

        await sidecar.Client.RewindInstanceAsync(id, "disk replaced");
        var result = await sidecar.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal("CHILD", result.ReadOutputAs<string>());
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await sidecar.Client.GetInstanceAsync("rewound-child"))!.RuntimeStatus);
    }

    [Fact]
    public async Task Queries_page_with_continuation_tokens_and_refuse_a_forged_one()
    {
        var sidecar = await StartSidecarAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
            ids.Add(await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("Nobody", i, new StartOrchestrationOptions { InstanceId = $"paged-{i}" }));

        var pages = new List<int>();
        var seen = new List<string>();
        await foreach (var page in sidecar.Client.GetAllInstancesAsync(new OrchestrationQuery(InstanceIdPrefix: "paged-", PageSize: 2)).AsPages())
        {
            pages.Add(page.Values.Count);
            seen.AddRange(page.Values.Select(v => v.InstanceId));
        }
        Assert.Equal([2, 2, 1], pages);
        Assert.Equal(ids.Order(), seen.Order());

        var raw = new P.TaskHubSidecarService.TaskHubSidecarServiceClient(sidecar.Channel);
        var query = await Assert.ThrowsAsync<RpcException>(async () => await raw.QueryInstancesAsync(
            new P.QueryInstancesRequest { Query = new P.InstanceQuery { MaxInstanceCount = 2, ContinuationToken = "bm90LWEtdG9rZW4" } }));
        Assert.Equal(StatusCode.InvalidArgument, query.StatusCode);
        Assert.Contains("continuation token", query.Status.Detail);
        var list = await Assert.ThrowsAsync<RpcException>(async () => await raw.ListInstanceIdsAsync(new P.ListInstanceIdsRequest { PageSize = 2, LastInstanceKey = "%%%" }));
        Assert.Equal(StatusCode.InvalidArgument, list.StatusCode);
    }

    [Fact]
    public async Task Finished_instance_ids_are_listed_page_by_page()
    {
        var sidecar = await StartSidecarAsync();
        await sidecar.StartWorkerAsync(tasks => tasks.AddOrchestratorFunc<int, int>("Quick", (_, n) => Task.FromResult(n)));
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add(await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("Quick", i));
        foreach (var id in ids) await sidecar.WaitForCompletionAsync(id);

        var raw = new P.TaskHubSidecarService.TaskHubSidecarServiceClient(sidecar.Channel);
        var listed = new List<string>();
        string? key = null;
        var pages = 0;
        do
        {
            var page = await raw.ListInstanceIdsAsync(new P.ListInstanceIdsRequest { PageSize = 2, LastInstanceKey = key, RuntimeStatus = { P.OrchestrationStatus.Completed } });
            listed.AddRange(page.InstanceIds);
            key = page.LastInstanceKey;
            pages++;
        }
        while (key is not null && pages < 10);

        Assert.Equal(ids.Order(), listed.Order());
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task Waiting_for_start_returns_once_a_worker_has_started_the_instance()
    {
        var sidecar = await StartSidecarAsync();
        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("WaitForGo");
        var waiting = sidecar.Client.WaitForInstanceStartAsync(id);
        Assert.False(waiting.IsCompleted);

        await sidecar.StartWorkerAsync(WaitForever);
        var started = await waiting.WaitAsync(SidecarHost.Timeout);

        Assert.Equal(OrchestrationRuntimeStatus.Running, started.RuntimeStatus);
    }

    [Fact]
    public async Task Entity_calls_are_refused_as_unimplemented_with_a_clear_message()
    {
        var sidecar = await StartSidecarAsync();
        var raw = new P.TaskHubSidecarService.TaskHubSidecarServiceClient(sidecar.Channel);

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await raw.SignalEntityAsync(new P.SignalEntityRequest { InstanceId = "@counter@a", Name = "add" }));

        Assert.Equal(StatusCode.Unimplemented, refused.StatusCode);
        Assert.Contains("entities are not supported", refused.Status.Detail);
    }
}
