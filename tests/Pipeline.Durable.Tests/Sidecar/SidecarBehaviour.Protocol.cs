namespace Pipeline.Durable.Tests.Sidecar;

using Grpc.Core;
using Microsoft.DurableTask.Client;
using P = Microsoft.DurableTask.Protobuf;

// The work-item protocol where a worker misbehaves or is gone: poison handling, stale and invalid completions.
public abstract partial class SidecarBehaviour
{
    [Fact]
    public async Task An_orchestration_whose_work_item_is_abandoned_every_time_fails_after_MaxAttempts_with_the_reason()
    {
        var sidecar = await StartSidecarAsync(o => o.MaxAttempts = 3);
        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("AlwaysAbandoned");
        await using var worker = new RawWorker(sidecar.Channel);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await worker.NextOrchestrationAsync();
            await worker.Client.AbandonTaskOrchestratorWorkItemAsync(new P.AbandonOrchestrationTaskRequest { CompletionToken = worker.LastToken });
        }

        var result = await sidecar.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, result.RuntimeStatus);
        Assert.Equal("Pipeline.Durable.PoisonWorkItem", result.FailureDetails!.ErrorType);
        Assert.Contains("3 times", result.FailureDetails.ErrorMessage);
        Assert.Contains("abandoned", result.FailureDetails.ErrorMessage);
    }

    [Fact]
    public async Task An_activity_abandoned_every_time_is_recorded_as_failed_after_MaxAttempts()
    {
        var sidecar = await StartSidecarAsync(o => o.MaxAttempts = 3);
        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("CallsDoomed");
        await using var worker = new RawWorker(sidecar.Channel);
        var start = await worker.NextOrchestrationAsync();
        await worker.Client.CompleteOrchestratorTaskAsync(RawWorker.Response(start, worker.LastToken, RawWorker.ScheduleTask(0, "Doomed")));
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await worker.NextActivityAsync();
            await worker.Client.AbandonTaskActivityWorkItemAsync(new P.AbandonActivityTaskRequest { CompletionToken = worker.LastToken });
        }

        var next = await worker.NextOrchestrationAsync();

        var failed = Assert.Single(next.NewEvents, e => e.TaskFailed is not null).TaskFailed;
        Assert.Equal(0, failed.TaskScheduledId);
        Assert.Equal("Pipeline.Durable.PoisonWorkItem", failed.FailureDetails.ErrorType);
        Assert.Contains("abandoned", failed.FailureDetails.ErrorMessage);
        await worker.Client.CompleteOrchestratorTaskAsync(RawWorker.Response(next, worker.LastToken, RawWorker.Complete(1, P.OrchestrationStatus.Failed, failure: failed.FailureDetails)));
        Assert.Equal(OrchestrationRuntimeStatus.Failed, (await sidecar.WaitForCompletionAsync(id)).RuntimeStatus);
    }

    [Fact]
    public async Task A_chunked_completion_is_refused_and_the_orchestration_fails_with_that_reason_after_MaxAttempts()
    {
        var sidecar = await StartSidecarAsync(o => o.MaxAttempts = 2);
        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("Chunky");
        await using var worker = new RawWorker(sidecar.Channel);
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var request = await worker.NextOrchestrationAsync();
            var response = RawWorker.Response(request, worker.LastToken, RawWorker.ScheduleTask(0, "Part"));
#pragma warning disable CS0612 // the deprecated field is the point of the test
            response.IsPartial = true;
#pragma warning restore CS0612
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await worker.Client.CompleteOrchestratorTaskAsync(response));
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
            Assert.Contains("chunked", refused.Status.Detail);
        }

        var result = await sidecar.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, result.RuntimeStatus);
        Assert.Contains("chunked", result.FailureDetails!.ErrorMessage);
    }

    [Fact]
    public async Task A_stream_that_ends_releases_its_work_at_once_and_a_stale_completion_changes_nothing()
    {
        var sidecar = await StartSidecarAsync(o => o.LeaseDuration = TimeSpan.FromMinutes(5));
        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("Handover");
        string staleToken;
        await using (var gone = new RawWorker(sidecar.Channel))
        {
            await gone.NextOrchestrationAsync();
            staleToken = gone.LastToken;
        }

        // Handed out again well before the five-minute lease would lapse: the ended stream released it.
        await using var worker = new RawWorker(sidecar.Channel);
        var request = await worker.NextOrchestrationAsync();
        var stale = await Assert.ThrowsAsync<RpcException>(async () => await worker.Client.CompleteOrchestratorTaskAsync(
            RawWorker.Response(request, staleToken, RawWorker.Complete(0, P.OrchestrationStatus.Completed, "\"stale\""))));
        Assert.Equal(StatusCode.FailedPrecondition, stale.StatusCode);
        Assert.Equal(OrchestrationRuntimeStatus.Pending, (await sidecar.Client.GetInstanceAsync(id))!.RuntimeStatus);

        await worker.Client.CompleteOrchestratorTaskAsync(RawWorker.Response(request, worker.LastToken, RawWorker.Complete(0, P.OrchestrationStatus.Completed, "\"fresh\"")));

        Assert.Equal("fresh", (await sidecar.WaitForCompletionAsync(id)).ReadOutputAs<string>());
    }

    [Fact]
    public async Task Events_a_worker_did_not_process_are_delivered_in_the_next_episode()
    {
        var sidecar = await StartSidecarAsync();
        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("Partial");
        await sidecar.Client.RaiseEventAsync(id, "A", "1");
        await sidecar.Client.RaiseEventAsync(id, "B", "2");
        await using var worker = new RawWorker(sidecar.Channel);

        var first = await worker.NextOrchestrationAsync();
        Assert.Equal(["OrchestratorStarted", "ExecutionStarted", "EventRaised", "EventRaised"], first.NewEvents.Select(e => e.EventTypeCase.ToString()));
        var response = RawWorker.Response(first, worker.LastToken);
        response.NumEventsProcessed = 3; // OrchestratorStarted, ExecutionStarted and A
        await worker.Client.CompleteOrchestratorTaskAsync(response);

        var second = await worker.NextOrchestrationAsync();
        Assert.Equal("B", Assert.Single(second.NewEvents, e => e.EventRaised is not null).EventRaised.Name);
        Assert.Contains(second.PastEvents, e => e.EventRaised?.Name == "A");
        Assert.DoesNotContain(second.PastEvents, e => e.EventRaised?.Name == "B");
        await worker.Client.CompleteOrchestratorTaskAsync(RawWorker.Response(second, worker.LastToken, RawWorker.Complete(0, P.OrchestrationStatus.Completed)));
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await sidecar.WaitForCompletionAsync(id)).RuntimeStatus);
    }
}
