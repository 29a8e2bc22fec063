using System.Collections.Concurrent;
using Pipeline.Durable.Storage;
using Pipeline.Testing;
using Xunit.Abstractions;
using static Pipeline.Durable.OrchestrationRuntimeStatus;

namespace Pipeline.Durable.Tests;

/// <summary>
/// What the engine promises (ARCHITECTURE.md, "Pipeline.Durable — the engine"), shown end to end through the
/// client, a real worker and a real store. Every store derives this suite once, so all stores are held to
/// exactly the same behaviour.
/// </summary>
public abstract class DurableEngineBehaviour(ITestOutputHelper output)
{
    protected ITestOutputHelper Output { get; } = output;

    /// <summary>A new, empty store of the kind under test (not yet initialised), reading time from <paramref name="clock"/>.</summary>
    protected abstract Task<IOrchestrationStore> CreateStoreAsync(TimeProvider clock);

    private async Task<EngineUnderTest> CreateEngineAsync(TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        var store = await CreateStoreAsync(clock);
        await store.InitializeAsync();
        return new EngineUnderTest(store, clock, new TestOutputLoggerFactory(Output));
    }

    private static RetryPolicy BackoffOneThenTwoSeconds => new(MaxNumberOfAttempts: 3, FirstRetryInterval: TimeSpan.FromSeconds(1), BackoffCoefficient: 2);

    // ---- replay ---------------------------------------------------------------------------------------

    [EngineFact]
    public async Task Orchestration_resumes_from_history_on_a_new_worker_without_redoing_finished_work()
    {
        await using var engine = await CreateEngineAsync();
        var shouted = new ConcurrentDictionary<string, int>();
        engine.Registry.AddActivityFunc<string, string>("Shout", (_, text) =>
        {
            shouted.AddOrUpdate(text, 1, (_, n) => n + 1);
            return text.ToUpperInvariant();
        });
        engine.Registry.AddOrchestratorFunc<string, string>("Greeting", async (ctx, name) =>
        {
            var hello = await ctx.CallActivityAsync<string>("Shout", "hello");
            await ctx.CreateTimer(TimeSpan.FromMilliseconds(100), CancellationToken.None);
            var reply = await ctx.WaitForExternalEvent<string>("reply");
            var answer = await ctx.CallActivityAsync<string>("Shout", reply);
            return $"{hello} {name}, {answer}";
        });
        await engine.StartWorkerAsync();

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Greeting", "Ada");
        await engine.WaitForHistoryAsync(id, h => h.OfType<TimerFiredEvent>().Any(), "the timer fired");
        await engine.RestartWorkerAsync();
        await engine.Client.RaiseEventAsync(id, "reply", "nice to meet you");
        var done = await engine.WaitForCompletionAsync(id);

        Assert.Equal(Completed, done.RuntimeStatus);
        Assert.Equal("HELLO Ada, NICE TO MEET YOU", done.ReadOutputAs<string>());
        var history = await engine.Client.GetHistoryAsync(id);
        var scheduled = history.OfType<TaskScheduledEvent>().ToList();
        Assert.Equal(["Shout", "Shout"], scheduled.Select(s => s.Name));
        Assert.Equal(scheduled.Count, scheduled.Select(s => s.EventId).Distinct().Count());
        Assert.All(scheduled, s => Assert.Single(history.OfType<TaskCompletedEvent>(), c => c.TaskScheduledId == s.EventId));
        Assert.Equal(1, shouted["hello"]);
    }

    public sealed record Stamp(int Point, Guid Guid, DateTime Time);

    [EngineFact]
    public async Task NewGuid_and_CurrentUtcDateTime_give_the_same_values_when_replayed()
    {
        var clock = new ManualClock();
        var start = clock.UtcNow;
        await using var engine = await CreateEngineAsync(clock);
        var seen = new ConcurrentQueue<Stamp>();
        engine.Registry.AddActivityFunc<int, int>("Noop", (_, n) => n);
        engine.Registry.AddOrchestratorFunc<object?, List<Stamp>>("Stamps", async (ctx, _) =>
        {
            var stamps = new List<Stamp>();
            void Take()
            {
                var stamp = new Stamp(stamps.Count, ctx.NewGuid(), ctx.CurrentUtcDateTime);
                stamps.Add(stamp);
                seen.Enqueue(stamp);
            }
            Take();
            await ctx.CallActivityAsync<int>("Noop", 1);
            Take();
            await ctx.WaitForExternalEvent<string>("go");
            Take();
            await ctx.CreateTimer(TimeSpan.FromHours(1), CancellationToken.None);
            Take();
            return stamps;
        });
        await engine.StartWorkerAsync();

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Stamps");
        await engine.WaitForHistoryAsync(id, h => h.OfType<TaskCompletedEvent>().Any(), "the activity's result");
        clock.Advance(TimeSpan.FromMinutes(5));
        await engine.RestartWorkerAsync();
        await engine.Client.RaiseEventAsync(id, "go", "now");
        await engine.FireTimerAsync(id);
        var done = await engine.WaitForCompletionAsync(id);

        Assert.Equal(Completed, done.RuntimeStatus);
        var stamps = done.ReadOutputAs<List<Stamp>>()!;
        Assert.Equal([start, start, start.AddMinutes(5), start.AddMinutes(65)], stamps.Select(s => s.Time));
        Assert.Equal(4, stamps.Select(s => s.Guid).Distinct().Count());
        // The points before the restart ran twice (first run, then replay on the new worker) and saw the same values.
        Assert.True(seen.Count(s => s.Point == 0) >= 2, $"point 0 was reached {seen.Count(s => s.Point == 0)} time(s); the new worker did not replay");
        Assert.All(seen, s => Assert.Equal(stamps[s.Point], s));
    }

    [EngineFact]
    public async Task Orchestrator_that_calls_a_different_activity_on_replay_fails_as_non_deterministic()
    {
        await using var engine = await CreateEngineAsync();
        var codeChanged = false;
        engine.Registry.AddActivityFunc<string, string>("A", (_, s) => s);
        engine.Registry.AddActivityFunc<string, string>("B", (_, s) => s);
        engine.Registry.AddOrchestratorFunc<object?, string>("Fickle", async (ctx, _) =>
        {
            var first = await ctx.CallActivityAsync<string>(Volatile.Read(ref codeChanged) ? "B" : "A", "x");
            var then = await ctx.WaitForExternalEvent<string>("next");
            return first + then;
        });
        await engine.StartWorkerAsync();

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Fickle");
        await engine.WaitForHistoryAsync(id, h => h.OfType<TaskCompletedEvent>().Any(), "activity A's result");
        await engine.StopWorkersAsync();
        Volatile.Write(ref codeChanged, true);
        await engine.StartWorkerAsync();
        await engine.Client.RaiseEventAsync(id, "next", "y");
        var done = await engine.WaitForCompletionAsync(id);

        Assert.Equal(Failed, done.RuntimeStatus);
        Assert.NotNull(done.FailureDetails);
        Assert.Contains(nameof(NonDeterministicOrchestrationException), done.FailureDetails.ErrorType);
        Assert.Contains("Non-deterministic", done.FailureDetails.ErrorMessage);
        Assert.Contains("'A'", done.FailureDetails.ErrorMessage);
        Assert.Contains("'B'", done.FailureDetails.ErrorMessage);
    }

    [EngineFact]
    public async Task Orchestrator_that_finishes_before_a_recorded_call_on_replay_fails_as_non_deterministic()
    {
        await using var engine = await CreateEngineAsync();
        var codeChanged = false;
        engine.Registry.AddActivityFunc<string, string>("Reserve", (_, s) => s);
        engine.Registry.AddActivityFunc<string, string>("Charge", (_, s) => s);
        engine.Registry.AddOrchestratorFunc<object?, string>("Booking", async (ctx, _) =>
        {
            var reserved = await ctx.CallActivityAsync<string>("Reserve", "seat");
            if (Volatile.Read(ref codeChanged)) return "reserved only"; // the new version no longer charges
            var charged = await ctx.CallActivityAsync<string>("Charge", "card");
            return $"{reserved} {charged} {await ctx.WaitForExternalEvent<string>("confirm")}";
        });
        await engine.StartWorkerAsync();

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Booking");
        await engine.WaitForHistoryAsync(id, h => h.OfType<TaskCompletedEvent>().Count() == 2, "both activities' results");
        await engine.StopWorkersAsync();
        Volatile.Write(ref codeChanged, true);
        await engine.StartWorkerAsync();
        await engine.Client.RaiseEventAsync(id, "confirm", "ok");
        var done = await engine.WaitForCompletionAsync(id);

        // History says the instance called Charge; the code on replay returned without calling it.
        Assert.True(done.RuntimeStatus == Failed, $"the instance is {done.RuntimeStatus} with output {done.SerializedOutput}");
        Assert.NotNull(done.FailureDetails);
        Assert.Contains(nameof(NonDeterministicOrchestrationException), done.FailureDetails.ErrorType);
        Assert.Contains("'Charge'", done.FailureDetails.ErrorMessage);
    }

    // ---- activities: failures and retries ---------------------------------------------------------------

    public sealed record FailureReport(string TaskName, string ErrorType, string ErrorMessage, string? StackTrace);

    [EngineFact]
    public async Task Failed_activity_surfaces_in_the_orchestrator_as_a_catchable_exception_with_its_details()
    {
        await using var engine = await CreateEngineAsync();
        engine.Registry.AddActivityFunc<decimal, string>("ChargeCard", string (_, amount) =>
            throw new InvalidOperationException($"Card declined for {amount}"));
        engine.Registry.AddOrchestratorFunc<decimal, FailureReport?>("Checkout", async (ctx, amount) =>
        {
            try
            {
                await ctx.CallActivityAsync<string>("ChargeCard", amount, TaskOptions.NoRetry);
                return null;
            }
            catch (TaskFailedException e)
            {
                return new FailureReport(e.TaskName, e.FailureDetails.ErrorType, e.FailureDetails.ErrorMessage, e.FailureDetails.StackTrace);
            }
        });
        await engine.StartWorkerAsync();

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Checkout", 12.5m);
        var done = await engine.WaitForCompletionAsync(id);

        Assert.Equal(Completed, done.RuntimeStatus);
        var report = done.ReadOutputAs<FailureReport>();
        Assert.NotNull(report);
        Assert.Equal("ChargeCard", report.TaskName);
        Assert.Equal(typeof(InvalidOperationException).FullName, report.ErrorType);
        Assert.Equal("Card declined for 12.5", report.ErrorMessage);
        Assert.False(string.IsNullOrWhiteSpace(report.StackTrace));
    }

    [EngineFact]
    public async Task Activity_is_retried_with_exponential_backoff_until_it_succeeds()
    {
        var clock = new ManualClock();
        await using var engine = await CreateEngineAsync(clock);
        var calls = 0;
        engine.Registry.AddActivityFunc<string, string>("Flaky", (_, s) =>
        {
            var call = Interlocked.Increment(ref calls);
            if (call < 3) throw new InvalidOperationException($"transient failure {call}");
            return $"{s} on call {call}";
        });
        engine.Registry.AddOrchestratorFunc<object?, string>("Persistent", (ctx, _) =>
            ctx.CallActivityAsync<string>("Flaky", "done", TaskOptions.FromRetryPolicy(BackoffOneThenTwoSeconds)));
        await engine.StartWorkerAsync();

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Persistent");
        await engine.FireTimerAsync(id, 1);
        await engine.FireTimerAsync(id, 2);
        var done = await engine.WaitForCompletionAsync(id);

        Assert.Equal(Completed, done.RuntimeStatus);
        Assert.Equal("done on call 3", done.ReadOutputAs<string>());
        var history = await engine.Client.GetHistoryAsync(id);
        Assert.Equal(3, history.OfType<TaskScheduledEvent>().Count());
        Assert.Equal(2, history.OfType<TaskFailedEvent>().Count());
        var timers = history.OfType<TimerCreatedEvent>().ToList();
        Assert.Equal(2, timers.Count);
        // Each wait is a durable timer created when the failure was seen: 1 s, then 1 s × 2.
        Assert.Equal(TimeSpan.FromSeconds(1), timers[0].FireAt - timers[0].Timestamp);
        Assert.Equal(TimeSpan.FromSeconds(2), timers[1].FireAt - timers[1].Timestamp);
        Assert.Equal(TimeSpan.FromSeconds(2), timers[1].FireAt - timers[0].FireAt);
        // Scheduled → failed → timer → scheduled → failed → timer → scheduled → completed.
        Assert.Equal(
            ["TaskScheduledEvent", "TaskFailedEvent", "TimerCreatedEvent", "TimerFiredEvent", "TaskScheduledEvent", "TaskFailedEvent",
             "TimerCreatedEvent", "TimerFiredEvent", "TaskScheduledEvent", "TaskCompletedEvent"],
            history.Where(e => e is TaskScheduledEvent or TaskFailedEvent or TaskCompletedEvent or TimerCreatedEvent or TimerFiredEvent).Select(e => e.Kind));
    }

    [EngineFact]
    public async Task Activity_that_keeps_failing_surfaces_its_last_error_once_retries_are_exhausted()
    {
        var clock = new ManualClock();
        await using var engine = await CreateEngineAsync(clock);
        var calls = 0;
        engine.Registry.AddActivityFunc<string, string>("PrintLabel", string (_, _) =>
        {
            Interlocked.Increment(ref calls);
            throw new InvalidOperationException("Printer is on fire");
        });
        engine.Registry.AddOrchestratorFunc<object?, string>("Shipping", async (ctx, _) =>
        {
            try
            {
                return await ctx.CallActivityAsync<string>("PrintLabel", "parcel-1", TaskOptions.FromRetryPolicy(BackoffOneThenTwoSeconds));
            }
            catch (TaskFailedException e)
            {
                return $"gave up: {e.FailureDetails.ErrorType}: {e.FailureDetails.ErrorMessage}";
            }
        });
        await engine.StartWorkerAsync();

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Shipping");
        await engine.FireTimerAsync(id, 1);
        await engine.FireTimerAsync(id, 2);
        var done = await engine.WaitForCompletionAsync(id);

        Assert.Equal(Completed, done.RuntimeStatus);
        Assert.Equal("gave up: System.InvalidOperationException: Printer is on fire", done.ReadOutputAs<string>());
        Assert.Equal(3, Volatile.Read(ref calls));
        var history = await engine.Client.GetHistoryAsync(id);
        Assert.Equal(3, history.OfType<TaskScheduledEvent>().Count());
        Assert.Equal(3, history.OfType<TaskFailedEvent>().Count());
    }

    // ---- durable timers ----------------------------------------------------------------------------------

    public sealed record Wake(DateTime Before, DateTime FireAt, DateTime After);

    [EngineFact]
    public async Task Short_timer_completes_the_orchestration_after_its_delay()
    {
        await using var engine = await CreateEngineAsync();
        engine.Registry.AddOrchestratorFunc<int, Wake>("Nap", async (ctx, ms) =>
        {
            var before = ctx.CurrentUtcDateTime;
            var fireAt = before.AddMilliseconds(ms);
            await ctx.CreateTimer(fireAt, CancellationToken.None);
            return new Wake(before, fireAt, ctx.CurrentUtcDateTime);
        });
        await engine.StartWorkerAsync();

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Nap", 300);
        var done = await engine.WaitForCompletionAsync(id);

        Assert.Equal(Completed, done.RuntimeStatus);
        var wake = done.ReadOutputAs<Wake>()!;
        Assert.True(wake.After >= wake.FireAt, $"woke at {wake.After:O}, before the timer's {wake.FireAt:O}");
        Assert.Single((await engine.Client.GetHistoryAsync(id)).OfType<TimerFiredEvent>());
    }

    [EngineFact]
    public async Task Eight_day_timer_keeps_the_instance_running_until_the_clock_passes_it()
    {
        var clock = new ManualClock();
        await using var engine = await CreateEngineAsync(clock);
        engine.Registry.AddOrchestratorFunc<object?, Wake>("Reminder", async (ctx, _) =>
        {
            var before = ctx.CurrentUtcDateTime;
            var fireAt = before.AddDays(8);
            await ctx.CreateTimer(fireAt, CancellationToken.None);
            return new Wake(before, fireAt, ctx.CurrentUtcDateTime);
        });
        await engine.StartWorkerAsync();

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Reminder");
        var timer = await engine.WaitForTimerAsync(id);
        Assert.Equal(clock.UtcNow.AddDays(8), timer.FireAt);
        await Task.Delay(300); // several polling intervals: nothing is due
        Assert.Equal(Running, (await engine.Client.GetInstanceAsync(id))!.RuntimeStatus);
        clock.Advance(TimeSpan.FromDays(8) - TimeSpan.FromMinutes(1));
        await Task.Delay(300);
        Assert.Equal(Running, (await engine.Client.GetInstanceAsync(id))!.RuntimeStatus);
        clock.Advance(TimeSpan.FromMinutes(2));
        var done = await engine.WaitForCompletionAsync(id);

        Assert.Equal(Completed, done.RuntimeStatus);
        var wake = done.ReadOutputAs<Wake>()!;
        Assert.Equal(timer.FireAt, wake.FireAt);
        Assert.True(wake.After >= wake.FireAt, $"CurrentUtcDateTime after the timer was {wake.After:O}, before its fire time {wake.FireAt:O}");
    }

    // ---- external events -----------------------------------------------------------------------------------

    private static void AddApprovalWithTimeout(DurableTaskRegistry registry) =>
        registry.AddOrchestratorFunc<object?, string>("Approval", async (ctx, _) =>
        {
            try
            {
                return await ctx.WaitForExternalEvent<string>("decision", TimeSpan.FromHours(1));
            }
            catch (TaskCanceledException)
            {
                return "timeout";
            }
        });

    [EngineFact]
    public async Task Waiting_for_an_event_times_out_when_the_clock_passes_the_timeout()
    {
        var clock = new ManualClock();
        await using var engine = await CreateEngineAsync(clock);
        AddApprovalWithTimeout(engine.Registry);
        await engine.StartWorkerAsync();

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Approval");
        var timer = await engine.WaitForTimerAsync(id);
        await Task.Delay(200);
        Assert.Equal(Running, (await engine.Client.GetInstanceAsync(id))!.RuntimeStatus);
        clock.AdvanceTo(timer.FireAt.AddSeconds(1));
        var done = await engine.WaitForCompletionAsync(id);

        Assert.Equal(Completed, done.RuntimeStatus);
        Assert.Equal("timeout", done.ReadOutputAs<string>());
    }

    [EngineFact]
    public async Task Waiting_for_an_event_receives_it_when_raised_before_the_timeout()
    {
        var clock = new ManualClock();
        await using var engine = await CreateEngineAsync(clock);
        AddApprovalWithTimeout(engine.Registry);
        await engine.StartWorkerAsync();

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Approval");
        await engine.WaitForTimerAsync(id);
        clock.Advance(TimeSpan.FromMinutes(59));
        await engine.Client.RaiseEventAsync(id, "decision", "approved");
        var done = await engine.WaitForCompletionAsync(id);

        Assert.Equal(Completed, done.RuntimeStatus);
        Assert.Equal("approved", done.ReadOutputAs<string>());
    }

    private static void AddGreeter(DurableTaskRegistry registry) =>
        registry.AddOrchestratorFunc<object?, string>("Greeter", async (ctx, _) => $"hello {await ctx.WaitForExternalEvent<string>("name")}");

    [EngineFact]
    public async Task Event_raised_before_the_instance_started_is_delivered()
    {
        await using var engine = await CreateEngineAsync();
        AddGreeter(engine.Registry);

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Greeter");
        await engine.Client.RaiseEventAsync(id, "name", "Ada");
        Assert.Equal(Pending, (await engine.Client.GetInstanceAsync(id))!.RuntimeStatus);
        await engine.StartWorkerAsync();
        var done = await engine.WaitForCompletionAsync(id);

        Assert.Equal(Completed, done.RuntimeStatus);
        Assert.Equal("hello Ada", done.ReadOutputAs<string>());
    }

    [EngineFact]
    public async Task Event_raised_while_the_orchestration_waits_on_an_activity_is_delivered_to_a_later_wait()
    {
        await using var engine = await CreateEngineAsync();
        var activityRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finishActivity = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.Registry.AddActivityFunc<string, string>("LookUpTitle", async (_, who) =>
        {
            activityRunning.TrySetResult();
            await finishActivity.Task;
            return "Dr";
        });
        engine.Registry.AddOrchestratorFunc<object?, string>("FormalGreeter", async (ctx, _) =>
        {
            var title = await ctx.CallActivityAsync<string>("LookUpTitle", "someone");
            var name = await ctx.WaitForExternalEvent<string>("name");
            return $"hello {title} {name}";
        });
        await engine.StartWorkerAsync();

        try
        {
            var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("FormalGreeter");
            await EngineUnderTest.WithinTimeout(activityRunning.Task, "the activity to start");
            await engine.Client.RaiseEventAsync(id, "name", "Ada");
            // The event is taken into history while nobody waits for it...
            await engine.WaitForHistoryAsync(id, h => h.OfType<EventRaisedEvent>().Any(), "the event recorded");
            finishActivity.SetResult();
            var done = await engine.WaitForCompletionAsync(id);

            // ...and kept for the wait that comes later.
            Assert.Equal(Completed, done.RuntimeStatus);
            Assert.Equal("hello Dr Ada", done.ReadOutputAs<string>());
        }
        finally
        {
            finishActivity.TrySetResult();
        }
    }

    [EngineFact]
    public async Task Event_raised_while_the_orchestration_waits_on_a_timer_is_kept_across_a_worker_restart()
    {
        var clock = new ManualClock();
        await using var engine = await CreateEngineAsync(clock);
        engine.Registry.AddOrchestratorFunc<object?, string>("SleepyGreeter", async (ctx, _) =>
        {
            await ctx.CreateTimer(TimeSpan.FromHours(8), CancellationToken.None);
            return $"good morning {await ctx.WaitForExternalEvent<string>("name")}";
        });
        await engine.StartWorkerAsync();

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("SleepyGreeter");
        await engine.WaitForTimerAsync(id);
        await engine.Client.RaiseEventAsync(id, "name", "Ada");
        await engine.WaitForHistoryAsync(id, h => h.OfType<EventRaisedEvent>().Any(), "the event recorded");
        await engine.RestartWorkerAsync();
        await engine.FireTimerAsync(id);
        var done = await engine.WaitForCompletionAsync(id);

        Assert.Equal(Completed, done.RuntimeStatus);
        Assert.Equal("good morning Ada", done.ReadOutputAs<string>());
    }

    [EngineFact]
    public async Task Wait_that_timed_out_does_not_eat_a_later_event()
    {
        var clock = new ManualClock();
        await using var engine = await CreateEngineAsync(clock);
        engine.Registry.AddOrchestratorFunc<object?, string>("PatientListener", async (ctx, _) =>
        {
            var first = "nothing";
            try
            {
                first = await ctx.WaitForExternalEvent<string>("ping", TimeSpan.FromMinutes(1));
            }
            catch (TaskCanceledException)
            {
                first = "timed out";
            }
            var second = await ctx.WaitForExternalEvent<string>("ping");
            return $"first wait: {first}; second wait: {second}";
        });
        await engine.StartWorkerAsync();

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("PatientListener");
        await engine.FireTimerAsync(id);
        await engine.WaitForHistoryAsync(id, h => h.OfType<TimerFiredEvent>().Any(), "the timeout");
        await engine.Client.RaiseEventAsync(id, "ping", "hello");
        var done = await engine.WaitForCompletionAsync(id);

        Assert.Equal(Completed, done.RuntimeStatus);
        Assert.Equal("first wait: timed out; second wait: hello", done.ReadOutputAs<string>());
    }

    // ---- sub-orchestrations and ContinueAsNew -------------------------------------------------------------

    [EngineFact]
    public async Task Sub_orchestration_returns_its_result_to_the_parent()
    {
        await using var engine = await CreateEngineAsync();
        engine.Registry.AddActivityFunc<int, int>("Double", (_, n) => n * 2);
        engine.Registry.AddOrchestratorFunc<int, int>("Doubler", (ctx, n) => ctx.CallActivityAsync<int>("Double", n));
        engine.Registry.AddOrchestratorFunc<int, int>("Parent", async (ctx, n) => await ctx.CallSubOrchestratorAsync<int>("Doubler", n) + 1);
        await engine.StartWorkerAsync();

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Parent", 20);
        var done = await engine.WaitForCompletionAsync(id);

        Assert.Equal(Completed, done.RuntimeStatus);
        Assert.Equal(41, done.ReadOutputAs<int>());
        var child = Assert.Single((await engine.Client.GetHistoryAsync(id)).OfType<SubOrchestrationCreatedEvent>());
        Assert.Equal(Completed, (await engine.Client.GetInstanceAsync(child.InstanceId))!.RuntimeStatus);
    }

    [EngineFact]
    public async Task Failing_sub_orchestration_surfaces_as_TaskFailedException_in_the_parent()
    {
        await using var engine = await CreateEngineAsync();
        engine.Registry.AddOrchestratorFunc<int, int>("Divider", (_, n) => throw new InvalidOperationException($"cannot divide {n} by zero"));
        engine.Registry.AddOrchestratorFunc<int, string>("Calculator", async (ctx, n) =>
        {
            try
            {
                return $"result {await ctx.CallSubOrchestratorAsync<int>("Divider", n)}";
            }
            catch (TaskFailedException e)
            {
                return $"{e.TaskName} failed: {e.FailureDetails.ErrorType}: {e.FailureDetails.ErrorMessage}";
            }
        });
        await engine.StartWorkerAsync();

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Calculator", 7);
        var done = await engine.WaitForCompletionAsync(id);

        Assert.Equal(Completed, done.RuntimeStatus);
        Assert.Equal("Divider failed: System.InvalidOperationException: cannot divide 7 by zero", done.ReadOutputAs<string>());
        var child = Assert.Single((await engine.Client.GetHistoryAsync(id)).OfType<SubOrchestrationCreatedEvent>());
        Assert.Equal(Failed, (await engine.Client.GetInstanceAsync(child.InstanceId))!.RuntimeStatus);
    }

    [EngineFact]
    public async Task ContinueAsNew_loops_with_a_fresh_history_each_time()
    {
        await using var engine = await CreateEngineAsync();
        engine.Registry.AddActivityFunc<int, int>("Increment", (_, n) => n + 1);
        engine.Registry.AddOrchestratorFunc<int, int>("Counter", async (ctx, n) =>
        {
            var next = await ctx.CallActivityAsync<int>("Increment", n);
            if (next < 10) ctx.ContinueAsNew(next);
            return next;
        });
        await engine.StartWorkerAsync();

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Counter", 0);
        var done = await engine.WaitForCompletionAsync(id);

        Assert.Equal(Completed, done.RuntimeStatus);
        Assert.Equal(10, done.ReadOutputAs<int>());
        var history = await engine.Client.GetHistoryAsync(id);
        Assert.True(history.Count < 20, $"history of the last execution has {history.Count} events: {string.Join(", ", history.Select(e => e.Kind))}");
        Assert.Equal("9", Assert.Single(history.OfType<ExecutionStartedEvent>()).Input);
        Assert.Single(history.OfType<TaskScheduledEvent>());
    }

    [EngineFact]
    public async Task Events_keep_their_arrival_order_across_ContinueAsNew()
    {
        var clock = new ManualClock();
        await using var engine = await CreateEngineAsync(clock);
        engine.Registry.AddOrchestratorFunc<List<string>, string>("TickCollector", async (ctx, ticks) =>
        {
            if (ticks.Count == 0) await ctx.CreateTimer(TimeSpan.FromHours(1), CancellationToken.None);
            ticks.Add(await ctx.WaitForExternalEvent<string>("tick"));
            if (ticks.Count < 3) ctx.ContinueAsNew(ticks);
            return string.Join(",", ticks);
        });
        await engine.StartWorkerAsync();

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("TickCollector", new List<string>());
        var timer = await engine.WaitForTimerAsync(id);
        await engine.Client.RaiseEventAsync(id, "tick", "t1");
        await engine.Client.RaiseEventAsync(id, "tick", "t2");
        await engine.WaitForHistoryAsync(id, h => h.OfType<EventRaisedEvent>().Count() == 2, "t1 and t2 kept while the timer runs");
        // t3 and the timer are taken in the same step: the first execution ends with t2 unconsumed and t3 not yet seen.
        await engine.StopWorkersAsync();
        await engine.Client.RaiseEventAsync(id, "tick", "t3");
        clock.AdvanceTo(timer.FireAt);
        await engine.StartWorkerAsync();
        var done = await engine.WaitForCompletionAsync(id);

        Assert.Equal(Completed, done.RuntimeStatus);
        Assert.Equal("t1,t2,t3", done.ReadOutputAs<string>());
    }

    // ---- management: terminate, suspend/resume, purge ------------------------------------------------------

    [EngineFact]
    public async Task Terminated_instance_stops_with_the_reason_as_its_output()
    {
        await using var engine = await CreateEngineAsync();
        AddGreeter(engine.Registry);
        await engine.StartWorkerAsync();

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Greeter");
        await engine.WaitForStatusAsync(id, Running);
        await engine.Client.TerminateInstanceAsync(id, "nobody came");
        var done = await engine.WaitForCompletionAsync(id);

        Assert.Equal(Terminated, done.RuntimeStatus);
        Assert.Equal("nobody came", done.ReadOutputAs<string>());
        await Assert.ThrowsAsync<OrchestrationFinishedException>(() => engine.Client.RaiseEventAsync(id, "name", "late"));
    }

    [EngineFact]
    public async Task Suspended_instance_does_not_progress_until_resumed()
    {
        await using var engine = await CreateEngineAsync();
        AddGreeter(engine.Registry);
        await engine.StartWorkerAsync();

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Greeter");
        await engine.WaitForStatusAsync(id, Running);
        await engine.Client.SuspendInstanceAsync(id, "holiday");
        await engine.WaitForStatusAsync(id, Suspended);
        await engine.Client.RaiseEventAsync(id, "name", "Ada");
        await Task.Delay(500); // ten polling intervals
        Assert.Equal(Suspended, (await engine.Client.GetInstanceAsync(id))!.RuntimeStatus);
        Assert.DoesNotContain(await engine.Client.GetHistoryAsync(id), e => e is EventRaisedEvent);

        await engine.Client.ResumeInstanceAsync(id, "back");
        var done = await engine.WaitForCompletionAsync(id);

        Assert.Equal(Completed, done.RuntimeStatus);
        Assert.Equal("hello Ada", done.ReadOutputAs<string>());
    }

    [EngineFact]
    public async Task Purge_deletes_a_finished_instance_and_refuses_a_running_one()
    {
        await using var engine = await CreateEngineAsync();
        AddGreeter(engine.Registry);
        await engine.StartWorkerAsync();
        var finished = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Greeter");
        await engine.Client.RaiseEventAsync(finished, "name", "Ada");
        await engine.WaitForCompletionAsync(finished);
        var running = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Greeter");
        await engine.WaitForStatusAsync(running, Running);

        Assert.True(await engine.Client.PurgeInstanceAsync(finished));
        Assert.Null(await engine.Client.GetInstanceAsync(finished));
        Assert.Empty(await engine.Client.GetHistoryAsync(finished));
        Assert.False(await engine.Client.PurgeInstanceAsync(finished));

        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => engine.Client.PurgeInstanceAsync(running));
        Assert.Equal(Running, (await engine.Client.GetInstanceAsync(running))!.RuntimeStatus);
    }

    [EngineFact]
    public async Task Suspended_instance_can_be_terminated()
    {
        await using var engine = await CreateEngineAsync();
        AddGreeter(engine.Registry);
        await engine.StartWorkerAsync();

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Greeter");
        await engine.WaitForStatusAsync(id, Running);
        await engine.Client.SuspendInstanceAsync(id);
        await engine.WaitForStatusAsync(id, Suspended);
        await engine.Client.TerminateInstanceAsync(id, "cancelled while on hold");
        var done = await engine.WaitForCompletionAsync(id);

        Assert.Equal(Terminated, done.RuntimeStatus);
        Assert.Equal("cancelled while on hold", done.ReadOutputAs<string>());
    }

    [EngineFact]
    public async Task Event_sent_by_one_orchestration_is_received_by_another()
    {
        await using var engine = await CreateEngineAsync();
        AddGreeter(engine.Registry);
        engine.Registry.AddOrchestratorFunc<string, string>("Introducer", (ctx, target) =>
        {
            ctx.SendEvent(target, "name", "Grace");
            return Task.FromResult("introduced");
        });
        await engine.StartWorkerAsync();

        var greeter = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Greeter");
        var introducer = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Introducer", greeter);

        Assert.Equal("introduced", (await engine.WaitForCompletionAsync(introducer)).ReadOutputAs<string>());
        Assert.Equal("hello Grace", (await engine.WaitForCompletionAsync(greeter)).ReadOutputAs<string>());
    }

    // ---- client errors ----------------------------------------------------------------------------------------

    [EngineFact]
    public async Task Raising_an_event_to_an_unknown_instance_throws_not_found()
    {
        await using var engine = await CreateEngineAsync();

        var error = await Assert.ThrowsAsync<OrchestrationNotFoundException>(() => engine.Client.RaiseEventAsync("no-such-instance", "name", "Ada"));

        Assert.Equal("no-such-instance", error.InstanceId);
    }

    [EngineFact]
    public async Task Raising_an_event_to_a_completed_instance_throws_finished()
    {
        await using var engine = await CreateEngineAsync();
        AddGreeter(engine.Registry);
        await engine.StartWorkerAsync();
        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Greeter");
        await engine.Client.RaiseEventAsync(id, "name", "Ada");
        await engine.WaitForCompletionAsync(id);

        var error = await Assert.ThrowsAsync<OrchestrationFinishedException>(() => engine.Client.RaiseEventAsync(id, "name", "Bob"));

        Assert.Equal(id, error.InstanceId);
    }

    [EngineFact]
    public async Task Scheduling_with_the_id_of_a_running_instance_throws_already_exists()
    {
        await using var engine = await CreateEngineAsync();
        AddGreeter(engine.Registry);
        await engine.StartWorkerAsync();
        var options = new StartOrchestrationOptions("greeting-42");
        await engine.Client.ScheduleNewOrchestrationInstanceAsync("Greeter", options: options);
        await engine.WaitForStatusAsync("greeting-42", Running);

        await Assert.ThrowsAsync<OrchestrationAlreadyExistsException>(() => engine.Client.ScheduleNewOrchestrationInstanceAsync("Greeter", options: options));

        await engine.Client.RaiseEventAsync("greeting-42", "name", "Ada");
        Assert.Equal("hello Ada", (await engine.WaitForCompletionAsync("greeting-42")).ReadOutputAs<string>());
    }

    [EngineFact]
    public async Task Scheduling_with_the_id_of_a_finished_instance_starts_it_afresh()
    {
        await using var engine = await CreateEngineAsync();
        AddGreeter(engine.Registry);
        await engine.StartWorkerAsync();
        var options = new StartOrchestrationOptions("greeting-7");
        await engine.Client.ScheduleNewOrchestrationInstanceAsync("Greeter", options: options);
        await engine.Client.RaiseEventAsync("greeting-7", "name", "Ada");
        await engine.WaitForCompletionAsync("greeting-7");

        await engine.Client.ScheduleNewOrchestrationInstanceAsync("Greeter", options: options);
        await engine.Client.RaiseEventAsync("greeting-7", "name", "Bob");
        var second = await engine.WaitForCompletionAsync("greeting-7");

        Assert.Equal(Completed, second.RuntimeStatus);
        Assert.Equal("hello Bob", second.ReadOutputAs<string>());
        Assert.Single((await engine.Client.GetHistoryAsync("greeting-7")).OfType<EventRaisedEvent>());
    }

    // ---- scale and leases ---------------------------------------------------------------------------------------

    [EngineFact]
    public async Task Fan_out_of_ten_thousand_activities_completes_in_bounded_memory()
    {
        const int Count = 10_000;
        const long Bound = 300L * 1024 * 1024;
        await using var engine = await CreateEngineAsync();
        engine.Registry.AddActivityFunc<int, int>("One", (_, _) => 1);
        engine.Registry.AddOrchestratorFunc<int, int>("FanOut", async (ctx, n) =>
        {
            var results = await Task.WhenAll(Enumerable.Range(0, n).Select(i => ctx.CallActivityAsync<int>("One", i)));
            return results.Sum();
        });
        await engine.StartWorkerAsync(EngineUnderTest.FastOptions with { MaxConcurrentActivities = 64 });

        using var sampling = new CancellationTokenSource();
        long peak = GC.GetTotalMemory(forceFullCollection: true);
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                try { await Task.Delay(20, sampling.Token); } catch (OperationCanceledException) { }
            }
        });
        var started = System.Diagnostics.Stopwatch.StartNew();
        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("FanOut", Count);
        var done = await engine.WaitForCompletionAsync(id, TimeSpan.FromSeconds(120));
        sampling.Cancel();
        await sampler;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Output.WriteLine($"fan-out of {Count}: {started.ElapsedMilliseconds} ms, peak managed heap {peak / 1e6:F0} MB, after {after / 1e6:F0} MB");

        Assert.Equal(Completed, done.RuntimeStatus);
        Assert.Equal(Count, done.ReadOutputAs<int>());
        var history = await engine.Client.GetHistoryAsync(id);
        Assert.Equal(Count, history.OfType<TaskCompletedEvent>().Count());
        Assert.Equal(Count, history.OfType<TaskCompletedEvent>().Select(c => c.TaskScheduledId).Distinct().Count());
        Assert.True(peak < Bound, $"peak managed heap {peak / 1e6:F0} MB exceeds {Bound / 1e6:F0} MB");
    }

    [EngineFact]
    public async Task Activity_result_of_a_worker_that_lost_its_lease_is_not_recorded()
    {
        var clock = new ManualClock();
        await using var engine = await CreateEngineAsync(clock);
        var runs = 0;
        var firstRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finishFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finishSecond = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.Registry.AddActivityFunc<object?, string>("SlowExport", async (_, _) =>
        {
            if (Interlocked.Increment(ref runs) == 1)
            {
                firstRunning.TrySetResult();
                await finishFirst.Task;
                return "export by the worker that lost its lease";
            }
            secondRunning.TrySetResult();
            await finishSecond.Task;
            return "export by the worker that took over";
        });
        engine.Registry.AddOrchestratorFunc<object?, string>("Export", (ctx, _) => ctx.CallActivityAsync<string>("SlowExport", null, TaskOptions.NoRetry));
        // One activity at a time each, so the takeover can only be by the other worker. Leases are renewed every
        // 10 s of real time, so within the test a lease lapses only by the simulated clock passing it.
        var options = EngineUnderTest.FastOptions with { MaxConcurrentActivities = 1, LeaseDuration = TimeSpan.FromSeconds(30) };
        await engine.StartWorkerAsync(options with { WorkerId = "worker-1" });
        await engine.StartWorkerAsync(options with { WorkerId = "worker-2" });

        try
        {
            var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Export");
            await EngineUnderTest.WithinTimeout(firstRunning.Task, "the activity to start");
            // The lease lapses (no renewal lands in this window); the other worker takes the work over.
            for (var attempt = 0; !secondRunning.Task.IsCompleted; attempt++)
            {
                Assert.True(attempt < 20, "no other worker took over the activity after its lease lapsed");
                clock.Advance(TimeSpan.FromSeconds(31));
                await Task.WhenAny(secondRunning.Task, Task.Delay(1000));
            }
            finishFirst.SetResult();
            await Task.Delay(500); // the stale result is flushed to the store, and must be dropped there
            Assert.Equal(Running, (await engine.Client.GetInstanceAsync(id))!.RuntimeStatus);
            Assert.DoesNotContain(await engine.Client.GetHistoryAsync(id), e => e is TaskCompletedEvent);

            finishSecond.SetResult();
            var done = await engine.WaitForCompletionAsync(id);

            Assert.Equal(Completed, done.RuntimeStatus);
            Assert.Equal("export by the worker that took over", done.ReadOutputAs<string>());
            Assert.Single((await engine.Client.GetHistoryAsync(id)).OfType<TaskCompletedEvent>());
            Assert.Equal(2, Volatile.Read(ref runs));
        }
        finally
        {
            finishFirst.TrySetResult();
            finishSecond.TrySetResult();
        }
    }

    [EngineFact]
    public async Task Orchestration_step_of_a_worker_that_lost_its_lease_is_not_recorded()
    {
        var clock = new ManualClock();
        await using var engine = await CreateEngineAsync(clock);
        var firstRun = 0;
        var numbersIssued = 0;
        using var firstRunBlocked = new ManualResetEventSlim();
        using var releaseFirstRun = new ManualResetEventSlim();
        engine.Registry.AddActivityFunc<object?, int>("NextInvoiceNumber", (_, _) => 1000 + Interlocked.Increment(ref numbersIssued));
        engine.Registry.AddOrchestratorFunc<object?, string>("Invoice", async (ctx, _) =>
        {
            if (Interlocked.Exchange(ref firstRun, 1) == 0)
            {
                // The first worker's step stalls (a long GC pause, a frozen VM) until its lease has lapsed.
                firstRunBlocked.Set();
                releaseFirstRun.Wait(EngineUnderTest.DefaultTimeout);
            }
            return $"invoice {await ctx.CallActivityAsync<int>("NextInvoiceNumber", null, TaskOptions.NoRetry)}";
        });
        var options = EngineUnderTest.FastOptions with { LeaseDuration = TimeSpan.FromSeconds(30) };
        await engine.StartWorkerAsync(options with { WorkerId = "worker-1" });
        await engine.StartWorkerAsync(options with { WorkerId = "worker-2" });

        try
        {
            var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Invoice");
            Assert.True(firstRunBlocked.Wait(EngineUnderTest.DefaultTimeout), "the orchestration never started");
            // The lease lapses; the other worker runs the same step and records it.
            await EngineUnderTest.WaitUntilAsync(async () =>
            {
                clock.Advance(TimeSpan.FromSeconds(31));
                await Task.Delay(300);
                return (await engine.Client.GetHistoryAsync(id)).OfType<TaskScheduledEvent>().Any();
            }, null, () => "the other worker to take the step over");
            releaseFirstRun.Set();
            var done = await engine.WaitForCompletionAsync(id);

            Assert.Equal(Completed, done.RuntimeStatus);
            Assert.Equal("invoice 1001", done.ReadOutputAs<string>());
            var history = await engine.Client.GetHistoryAsync(id);
            Assert.Single(history.OfType<ExecutionStartedEvent>());
            Assert.Single(history.OfType<TaskScheduledEvent>());
            await Task.Delay(300); // had the stalled step been recorded, its activity would run now
            Assert.Equal(1, Volatile.Read(ref numbersIssued));
        }
        finally
        {
            releaseFirstRun.Set();
        }
    }

    [EngineFact]
    public async Task Stopping_a_worker_lets_a_running_activity_finish_and_records_its_result()
    {
        await using var engine = await CreateEngineAsync();
        var runs = 0;
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.Registry.AddActivityFunc<string, string>("RenderReport", async (_, name) =>
        {
            Interlocked.Increment(ref runs);
            running.TrySetResult();
            await Task.Delay(500, CancellationToken.None);
            return $"{name}.pdf";
        });
        engine.Registry.AddOrchestratorFunc<string, string>("Report", (ctx, name) => ctx.CallActivityAsync<string>("RenderReport", name, TaskOptions.NoRetry));
        await engine.StartWorkerAsync();

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Report", "q3");
        await EngineUnderTest.WithinTimeout(running.Task, "the activity to start");
        await engine.StopWorkersAsync(); // a graceful stop (a deploy): the activity is half way through
        await engine.StartWorkerAsync();
        // Well within the 30 s lease: the result must have been recorded, not left for a lease to lapse.
        var done = await engine.WaitForCompletionAsync(id, TimeSpan.FromSeconds(10));

        Assert.Equal(Completed, done.RuntimeStatus);
        Assert.Equal("q3.pdf", done.ReadOutputAs<string>());
        Assert.Equal(1, Volatile.Read(ref runs));
    }
}
