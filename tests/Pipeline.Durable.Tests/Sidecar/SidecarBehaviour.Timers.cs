namespace Pipeline.Durable.Tests.Sidecar;

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

// Durable timers.
public abstract partial class SidecarBehaviour
{
    [Fact]
    public async Task A_timer_already_due_fires_at_once()
    {
        var sidecar = await StartSidecarAsync();
        await sidecar.StartWorkerAsync(tasks => tasks.AddOrchestratorFunc<string>("PastTimer", async ctx =>
        {
            await ctx.CreateTimer(ctx.CurrentUtcDateTime.AddHours(-1), CancellationToken.None);
            return "fired";
        }));

        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("PastTimer");

        Assert.Equal("fired", (await sidecar.WaitForCompletionAsync(id)).ReadOutputAs<string>());
    }

    [Fact]
    public async Task A_timer_never_fires_before_its_time()
    {
        var sidecar = await StartSidecarAsync();
        await sidecar.StartWorkerAsync(tasks => tasks.AddOrchestratorFunc<DateTime[]>("ShortTimer", async ctx =>
        {
            var fireAt = ctx.CurrentUtcDateTime.AddMilliseconds(700);
            await ctx.CreateTimer(fireAt, CancellationToken.None);
            return [fireAt, ctx.CurrentUtcDateTime];
        }));

        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("ShortTimer");
        var times = (await sidecar.WaitForCompletionAsync(id)).ReadOutputAs<DateTime[]>()!;

        // The episode that saw the timer fire runs at (or after) the time the timer was set for, on the task hub's clock.
        Assert.True(times[1] >= times[0], $"resumed at {times[1]:O}, before the timer's {times[0]:O}");
    }
}
