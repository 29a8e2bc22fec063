namespace Pipeline.Durable.Tests.Sidecar;

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

// External events: kept until consumed.
public abstract partial class SidecarBehaviour
{
    [Fact]
    public async Task An_event_raised_before_the_orchestration_runs_is_delivered_when_it_waits()
    {
        var sidecar = await StartSidecarAsync();
        // No worker yet: the instance stays Pending while the event is raised.
        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("AwaitApproval");
        await sidecar.Client.RaiseEventAsync(id, "Approved", "by the director");

        await sidecar.StartWorkerAsync(tasks => tasks.AddOrchestratorFunc<string>("AwaitApproval", ctx => ctx.WaitForExternalEvent<string>("Approved")));

        Assert.Equal("by the director", (await sidecar.WaitForCompletionAsync(id)).ReadOutputAs<string>());
    }

    [Fact]
    public async Task An_event_raised_while_the_orchestration_does_not_wait_for_it_is_delivered_later()
    {
        var sidecar = await StartSidecarAsync();
        var raised = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var activityStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await sidecar.StartWorkerAsync(tasks =>
        {
            tasks.AddActivityFunc<string, string>("Busy", async (_, s) =>
            {
                activityStarted.TrySetResult();
                await raised.Task; // the event arrives while the orchestration is busy here
                return s;
            });
            tasks.AddOrchestratorFunc<string>("BusyThenWait", async ctx =>
            {
                var busy = await ctx.CallActivityAsync<string>("Busy", "done");
                return busy + ", " + await ctx.WaitForExternalEvent<string>("Later");
            });
        });

        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("BusyThenWait");
        await activityStarted.Task.WaitAsync(SidecarHost.Timeout);
        await sidecar.Client.RaiseEventAsync(id, "Later", "then the event");
        raised.SetResult();

        Assert.Equal("done, then the event", (await sidecar.WaitForCompletionAsync(id)).ReadOutputAs<string>());
    }

    [Fact]
    public async Task A_wait_that_timed_out_does_not_eat_a_later_event()
    {
        var sidecar = await StartSidecarAsync();
        await sidecar.StartWorkerAsync(tasks => tasks.AddOrchestratorFunc<string>("WaitTwice", async ctx =>
        {
            string first;
            try
            {
                first = await ctx.WaitForExternalEvent<string>("Signal", TimeSpan.FromMilliseconds(100));
            }
            catch (TaskCanceledException)
            {
                first = "timed out";
            }
            ctx.SetCustomStatus("waiting again");
            return first + ", " + await ctx.WaitForExternalEvent<string>("Signal");
        }));

        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("WaitTwice");
        await SidecarHost.WaitUntilAsync(async () => (await sidecar.Client.GetInstanceAsync(id))?.SerializedCustomStatus?.Contains("waiting again") == true,
            () => "the first wait to time out");
        await sidecar.Client.RaiseEventAsync(id, "Signal", "received");

        Assert.Equal("timed out, received", (await sidecar.WaitForCompletionAsync(id)).ReadOutputAs<string>());
    }

    [Fact]
    public async Task Events_not_yet_consumed_survive_ContinueAsNew()
    {
        var sidecar = await StartSidecarAsync();
        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("Generations", 0);
        // Raised before the first generation even runs: it must reach the generation that finally waits for it.
        await sidecar.Client.RaiseEventAsync(id, "Token", "kept");
        await sidecar.StartWorkerAsync(tasks => tasks.AddOrchestratorFunc<int, string>("Generations", async (ctx, generation) =>
        {
            if (generation < 3)
            {
                await ctx.CreateTimer(TimeSpan.FromMilliseconds(1), CancellationToken.None);
                ctx.ContinueAsNew(generation + 1, preserveUnprocessedEvents: true);
                return "";
            }
            return $"generation {generation}: " + await ctx.WaitForExternalEvent<string>("Token");
        }));

        Assert.Equal("generation 3: kept", (await sidecar.WaitForCompletionAsync(id)).ReadOutputAs<string>());
    }
}
