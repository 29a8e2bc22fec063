namespace Pipeline.Durable.Tests.Sidecar;

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Pipeline.Durable.Sidecar;
using Pipeline.Durable.Store;
using Pipeline.Durable.Store.Postgres;
using Pipeline.Testing;
using Xunit.Abstractions;
using P = Microsoft.DurableTask.Protobuf;

/// <summary>The suite on PostgreSQL (a schema per test in the assembly's private cluster), plus the database clock.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSidecarBehaviour(PostgresClusterFixture postgres, ITestOutputHelper output)
    : SidecarBehaviour(new PostgresStoreSource(postgres), output)
{
    [Fact]
    public async Task Episode_times_and_timers_follow_the_database_clock_not_the_hosts()
    {
        // This host's clock is a day ahead; hosts sharing a task hub need not agree on the time, so it must not matter.
        var sidecar = await StartSidecarAsync(o => o.TimeProvider = new ManualClock(DateTimeOffset.UtcNow.AddDays(1)));
        await sidecar.StartWorkerAsync(tasks => tasks.AddOrchestratorFunc<DateTime[]>("Clocked", async ctx =>
        {
            var before = ctx.CurrentUtcDateTime;
            await ctx.CreateTimer(TimeSpan.FromSeconds(1), CancellationToken.None);
            return [before, ctx.CurrentUtcDateTime];
        }));

        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("Clocked");
        var times = (await sidecar.WaitForCompletionAsync(id)).ReadOutputAs<DateTime[]>()!;

        // The database runs on this machine, so its clock is the real time.
        Assert.InRange(times[0], DateTime.UtcNow.AddMinutes(-2), DateTime.UtcNow.AddMinutes(1));
        Assert.InRange(times[1] - times[0], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(50));
    }

    [Fact]
    public async Task A_lease_taken_by_one_host_is_not_taken_by_another_before_it_lapses_on_the_database_clock()
    {
        var connectionString = await postgres.SharedDatabaseAsync();
        var schema = postgres.NewSchemaName();
        await using var first = new PostgresDurableStore(connectionString, schema);
        await using var second = new PostgresDurableStore(connectionString, schema);
        await first.InitializeAsync(default);
        await second.InitializeAsync(default);
        var started = new P.HistoryEvent
        {
            EventId = -1,
            Timestamp = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow),
            ExecutionStarted = new P.ExecutionStartedEvent { Name = "X", OrchestrationInstance = new P.OrchestrationInstance { InstanceId = "leased", ExecutionId = "e1" } },
        };
        await first.CreateInstanceAsync(new NewInstance("leased", "e1", "X", null, null, null, null, started), [], default);

        var taken = await first.LeaseOrchestrationsAsync("host-a", 10, 10, TimeSpan.FromSeconds(2), default);
        Assert.Single(taken);
        Assert.Empty(await second.LeaseOrchestrationsAsync("host-b", 10, 10, TimeSpan.FromSeconds(2), default));

        // Once the lease lapses (2 s on the database's clock) the other host takes the work over.
        IReadOnlyList<LeasedOrchestration> takenOver = [];
        await SidecarHost.WaitUntilAsync(async () => (takenOver = await second.LeaseOrchestrationsAsync("host-b", 10, 10, TimeSpan.FromSeconds(30), default)).Count == 1,
            () => "the lapsed lease to be taken over", TimeSpan.FromSeconds(20));
        Assert.Equal(2, takenOver[0].Attempts);
        Assert.InRange(takenOver[0].Now - taken[0].Now, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(20));
        // The first host's lease is gone: its commit changes nothing.
        Assert.False(await first.CommitEpisodeAsync(new EpisodeCommit
        {
            InstanceId = "leased", LeaseToken = taken[0].LeaseToken, ExecutionId = "e1", ExpectedHistoryCount = 0, ConsumedMessageIds = [],
            History = [], Status = P.OrchestrationStatus.Running, EpisodeTime = taken[0].Now,
        }, default));
    }

    [Fact]
    public async Task A_forty_day_timer_is_kept_scheduled()
    {
        var sidecar = await StartSidecarAsync();
        await sidecar.StartWorkerAsync(tasks => tasks.AddOrchestratorFunc<string>("FortyDays", async ctx =>
        {
            await ctx.CreateTimer(TimeSpan.FromDays(40), CancellationToken.None);
            return "fired";
        }));
        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("FortyDays");

        await SidecarHost.WaitUntilAsync(async () => await sidecar.Monitor.IsIdleAsync() && (await sidecar.Monitor.GetHealthAsync()).ScheduledTimers == 1,
            () => "the timer to be scheduled");
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await sidecar.Client.GetInstanceAsync(id))!.RuntimeStatus);

        await sidecar.Client.TerminateInstanceAsync(id, new TerminateInstanceOptions("not waiting 40 days"));
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, (await sidecar.WaitForCompletionAsync(id)).RuntimeStatus);
        Assert.Equal(0, (await sidecar.Monitor.GetHealthAsync()).ScheduledTimers);
    }
}
