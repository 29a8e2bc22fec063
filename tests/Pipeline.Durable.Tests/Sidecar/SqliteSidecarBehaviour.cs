namespace Pipeline.Durable.Tests.Sidecar;

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Pipeline.Testing;
using Xunit.Abstractions;

/// <summary>The suite on the embedded store, plus what only a clock the test moves can show.</summary>
public sealed class SqliteSidecarBehaviour(ITestOutputHelper output) : SidecarBehaviour(new SqliteStoreSource(), output)
{
    [Fact]
    public async Task A_forty_day_timer_fires_when_the_clock_gets_there_and_not_before()
    {
        var clock = new ManualClock();
        var sidecar = await StartSidecarAsync(o => o.TimeProvider = clock);
        await sidecar.StartWorkerAsync(tasks => tasks.AddOrchestratorFunc<DateTime[]>("FortyDays", async ctx =>
        {
            var due = ctx.CurrentUtcDateTime.AddDays(40);
            await ctx.CreateTimer(due, CancellationToken.None);
            return [due, ctx.CurrentUtcDateTime];
        }));
        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("FortyDays");

        // A test clock as a host drives it: when nothing can run now, move time forward a day and look again.
        var days = 0;
        while (true)
        {
            await SidecarHost.WaitUntilAsync(() => sidecar.Monitor.IsIdleAsync(), () => "the sidecar to be idle");
            var state = await sidecar.Client.GetInstanceAsync(id);
            if (state!.IsCompleted) break;
            Assert.True(days < 45, $"still {state.RuntimeStatus} after {days} days");
            Assert.Equal(1, (await sidecar.Monitor.GetHealthAsync()).ScheduledTimers);
            clock.Advance(TimeSpan.FromDays(1));
            days++;
        }

        var times = (await sidecar.WaitForCompletionAsync(id)).ReadOutputAs<DateTime[]>()!;
        Assert.Equal(40, days);
        Assert.True(times[1] >= times[0], $"resumed at {times[1]:O}, before {times[0]:O}");
    }
}
