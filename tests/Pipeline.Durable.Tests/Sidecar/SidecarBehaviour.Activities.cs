namespace Pipeline.Durable.Tests.Sidecar;

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using P = Microsoft.DurableTask.Protobuf;

// Activities: retries only when asked, concurrency limits, fan-out, history conventions.
public abstract partial class SidecarBehaviour
{
    [Fact]
    public async Task A_failing_activity_runs_once_without_TaskOptions_and_its_failure_reaches_the_orchestration()
    {
        var sidecar = await StartSidecarAsync();
        var runs = 0;
        await sidecar.StartWorkerAsync(tasks =>
        {
            tasks.AddActivityFunc<string, string>("Flaky", (_, _) =>
            {
                Interlocked.Increment(ref runs);
                return Task.FromException<string>(new InvalidOperationException("the printer is on fire"));
            });
            tasks.AddOrchestratorFunc<string>("CallFlaky", async ctx =>
            {
                try
                {
                    await ctx.CallActivityAsync<string>("Flaky", "x");
                    return "no failure";
                }
                catch (TaskFailedException e)
                {
                    return e.FailureDetails.ErrorMessage;
                }
            });
        });

        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("CallFlaky");
        var result = await sidecar.WaitForCompletionAsync(id);

        Assert.Equal("the printer is on fire", result.ReadOutputAs<string>());
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task A_failing_activity_is_retried_exactly_as_its_TaskOptions_ask()
    {
        var sidecar = await StartSidecarAsync();
        var runs = 0;
        await sidecar.StartWorkerAsync(tasks =>
        {
            tasks.AddActivityFunc<int, int>("FailTwice", (_, n) => Interlocked.Increment(ref runs) <= 2 ? throw new TimeoutException("busy") : n * 2);
            tasks.AddOrchestratorFunc<int>("Retrying", ctx => ctx.CallActivityAsync<int>("FailTwice", 21,
                TaskOptions.FromRetryPolicy(new RetryPolicy(maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromMilliseconds(50)))));
        });

        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("Retrying");
        var result = await sidecar.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(42, result.ReadOutputAs<int>());
        Assert.Equal(3, runs);
    }

    [Fact]
    public async Task An_activity_running_longer_than_the_lease_keeps_it_and_runs_once()
    {
        var sidecar = await StartSidecarAsync(o => o.LeaseDuration = TimeSpan.FromSeconds(1));
        var runs = 0;
        await sidecar.StartWorkerAsync(tasks =>
        {
            tasks.AddActivityFunc<string, string>("Slow", async (_, s) =>
            {
                Interlocked.Increment(ref runs);
                await Task.Delay(TimeSpan.FromSeconds(3)); // three lease durations of work: the lease must be renewed
                return s;
            });
            tasks.AddOrchestratorFunc<string>("CallSlow", ctx => ctx.CallActivityAsync<string>("Slow", "finished"));
        });

        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("CallSlow");

        Assert.Equal("finished", (await sidecar.WaitForCompletionAsync(id)).ReadOutputAs<string>());
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task No_more_activities_run_at_once_than_the_worker_asked_for()
    {
        var sidecar = await StartSidecarAsync();
        int running = 0, peak = 0;
        await sidecar.StartWorkerAsync(tasks =>
        {
            tasks.AddActivityFunc<int, int>("Overlap", async (_, n) =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref peak, now);
                // Work that takes a while, so that activities handed out together overlap.
                await Task.Delay(50);
                Interlocked.Decrement(ref running);
                return n;
            });
            tasks.AddOrchestratorFunc<int>("Parallel", async ctx =>
                (await Task.WhenAll(Enumerable.Range(0, 12).Select(i => ctx.CallActivityAsync<int>("Overlap", i)))).Sum());
        }, o => o.Concurrency.MaximumConcurrentActivityWorkItems = 2);

        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("Parallel");
        var result = await sidecar.WaitForCompletionAsync(id);

        Assert.Equal(66, result.ReadOutputAs<int>());
        Assert.InRange(peak, 1, 2);
    }

    [Fact]
    public async Task A_fan_out_of_10000_activities_completes()
    {
        var sidecar = await StartSidecarAsync();
        var runs = 0;
        await sidecar.StartWorkerAsync(tasks =>
        {
            tasks.AddActivityFunc<int, int>("Square", (_, n) =>
            {
                Interlocked.Increment(ref runs);
                return n % 1000 * (n % 1000);
            });
            tasks.AddOrchestratorFunc<int, long>("FanOut", async (ctx, n) =>
                (await Task.WhenAll(Enumerable.Range(0, n).Select(i => ctx.CallActivityAsync<int>("Square", i)))).Sum(x => (long)x));
        });

        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("FanOut", 10_000);
        var result = await sidecar.WaitForCompletionAsync(id, TimeSpan.FromMinutes(5));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(10 * Enumerable.Range(0, 1000).Sum(i => (long)i * i), result.ReadOutputAs<long>());
        Assert.True(runs >= 10_000, $"only {runs} activity runs");
    }

    [Fact]
    public async Task History_follows_the_conventions_the_SDK_replays_with()
    {
        var sidecar = await StartSidecarAsync();
        await sidecar.StartWorkerAsync(tasks =>
        {
            tasks.AddActivityFunc<string, string>("Echo", (_, s) => s);
            tasks.AddOrchestratorFunc<string>("Conventional", async ctx =>
            {
                var first = await ctx.CallActivityAsync<string>("Echo", "a");
                await ctx.CreateTimer(TimeSpan.FromMilliseconds(10), CancellationToken.None);
                return first + await ctx.CallActivityAsync<string>("Echo", "b");
            });
        });

        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("Conventional");
        Assert.Equal("ab", (await sidecar.WaitForCompletionAsync(id)).ReadOutputAs<string>());

        var history = await ReadHistoryAsync(sidecar, id);
        Assert.Equal(P.HistoryEvent.EventTypeOneofCase.OrchestratorStarted, history[0].EventTypeCase);
        Assert.Equal(P.HistoryEvent.EventTypeOneofCase.ExecutionStarted, history[1].EventTypeCase);
        Assert.Equal(P.HistoryEvent.EventTypeOneofCase.OrchestratorCompleted, history[^1].EventTypeCase);
        Assert.Equal(P.HistoryEvent.EventTypeOneofCase.ExecutionCompleted, history[^2].EventTypeCase);
        // Every episode is bracketed, and its time never goes back.
        var starts = history.Where(e => e.EventTypeCase == P.HistoryEvent.EventTypeOneofCase.OrchestratorStarted).ToList();
        Assert.Equal(starts.Count, history.Count(e => e.EventTypeCase == P.HistoryEvent.EventTypeOneofCase.OrchestratorCompleted));
        Assert.Equal(starts.OrderBy(e => e.Timestamp.ToDateTime()), starts);
        // Results point back at the actions that asked for them.
        var scheduled = history.Where(e => e.TaskScheduled is not null).Select(e => e.EventId).ToList();
        Assert.Equal(scheduled, history.Where(e => e.TaskCompleted is not null).Select(e => e.TaskCompleted.TaskScheduledId));
        var timer = Assert.Single(history, e => e.TimerCreated is not null);
        Assert.Equal(timer.EventId, Assert.Single(history, e => e.TimerFired is not null).TimerFired.TimerId);
        Assert.Equal(3, scheduled.Distinct().Count() + 1);
    }

    /// <summary>The stored history exactly as the protocol carries it.</summary>
    public static async Task<List<P.HistoryEvent>> ReadHistoryAsync(SidecarHost sidecar, string instanceId)
    {
        var client = new P.TaskHubSidecarService.TaskHubSidecarServiceClient(sidecar.Channel);
        using var call = client.StreamInstanceHistory(new P.StreamInstanceHistoryRequest { InstanceId = instanceId });
        var events = new List<P.HistoryEvent>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None)) events.AddRange(call.ResponseStream.Current.Events);
        return events;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current) return;
            current = seen;
        }
    }
}
