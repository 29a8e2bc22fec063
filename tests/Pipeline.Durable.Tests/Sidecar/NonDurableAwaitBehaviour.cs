namespace Pipeline.Durable.Tests.Sidecar;

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Xunit.Abstractions;

/// <summary>
/// What Microsoft.DurableTask 1.28 itself does when an orchestrator awaits a task that is not durable (here
/// <c>Task.Delay</c>), run against the sidecar. This documents the SDK's behaviour; the sidecar cannot see the await.
/// Observed: the episode ends with no actions when the orchestrator yields to the delay; the continuation later runs on
/// a thread-pool thread outside any episode, and what it schedules is never sent. The instance stays Running with nothing
/// to do (the sidecar is idle), nothing is logged at any level, and every later episode (e.g. after an event) replays
/// into the same dead end. Microsoft.DurableTask.Analyzers (DURABLE0001-style rules) catch this at build time instead.
/// </summary>
public sealed class NonDurableAwaitBehaviour(ITestOutputHelper output) : IDisposable
{
    private readonly SqliteStoreSource _stores = new();

    [Fact]
    public async Task An_orchestrator_awaiting_Task_Delay_is_left_Running_with_no_actions_by_the_SDK()
    {
        await using var sidecar = await SidecarHost.StartAsync(await _stores.NewTaskHubAsync(), output);
        var continuations = 0;
        await sidecar.StartWorkerAsync(tasks =>
        {
            tasks.AddActivityFunc<string, string>("Echo", (_, s) => s);
            tasks.AddOrchestratorFunc<string>("AwaitsTaskDelay", async ctx =>
            {
                await Task.Delay(200);
                Interlocked.Increment(ref continuations);
                return await ctx.CallActivityAsync<string>("Echo", "after the delay");
            });
        });

        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("AwaitsTaskDelay");
        // The code after the delay did run, and the sidecar has nothing left to hand out or waiting at a worker.
        await SidecarHost.WaitUntilAsync(async () => Volatile.Read(ref continuations) == 1 && await sidecar.Monitor.IsIdleAsync(),
            () => $"the continuation to run ({continuations}) and the sidecar to be idle");

        var state = await sidecar.Client.GetInstanceAsync(id, getInputsAndOutputs: true);
        Assert.Equal(OrchestrationRuntimeStatus.Running, state!.RuntimeStatus);
        Assert.Equal("OrchestratorStarted, ExecutionStarted, OrchestratorCompleted", await sidecar.DescribeHistoryAsync(id));
    }

    public void Dispose() => _stores.Dispose();
}
