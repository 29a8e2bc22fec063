namespace Pipeline.Durable.Tests.Sidecar;

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Pipeline.Testing;

// Sub-orchestrations and ContinueAsNew.
public abstract partial class SidecarBehaviour
{
    [Fact]
    public async Task Sub_orchestrations_get_distinct_ids_in_every_generation_even_on_a_clock_that_stands_still()
    {
        // A clock that never moves (SQLite uses it; PostgreSQL uses the database's): NewGuid hashes CurrentUtcDateTime, so
        // only strictly increasing episode times keep the children of successive generations apart.
        var sidecar = await StartSidecarAsync(o => o.TimeProvider = new ManualClock());
        await sidecar.StartWorkerAsync(tasks =>
        {
            tasks.AddOrchestratorFunc<int, int>("Child", (_, n) => Task.FromResult(n * 10));
            tasks.AddOrchestratorFunc<int, int>("Parent", async (ctx, generation) =>
            {
                var value = await ctx.CallSubOrchestratorAsync<int>("Child", generation);
                if (generation < 3)
                {
                    ctx.ContinueAsNew(generation + 1);
                    return 0;
                }
                return value;
            });
        });

        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("Parent", 1);
        var result = await sidecar.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(30, result.ReadOutputAs<int>());
        var children = new List<OrchestrationMetadata>();
        await foreach (var instance in sidecar.Client.GetAllInstancesAsync(new OrchestrationQuery(FetchInputsAndOutputs: true)))
            if (instance.Name == "Child") children.Add(instance);
        Assert.Equal(3, children.Count);
        Assert.Equal(3, children.Select(c => c.InstanceId).Distinct().Count());
        Assert.All(children, c => Assert.Equal(OrchestrationRuntimeStatus.Completed, c.RuntimeStatus));
        Assert.Equal([10, 20, 30], children.Select(c => c.ReadOutputAs<int>()).Order());
    }

    [Fact]
    public async Task A_sub_orchestration_id_already_taken_fails_the_call_instead_of_replacing_the_instance()
    {
        var sidecar = await StartSidecarAsync();
        await sidecar.StartWorkerAsync(tasks =>
        {
            tasks.AddOrchestratorFunc<string, string>("Child", (_, s) => Task.FromResult(s));
            tasks.AddOrchestratorFunc<string>("Parent", async ctx =>
            {
                try
                {
                    return await ctx.CallSubOrchestratorAsync<string>("Child", "second", new SubOrchestrationOptions { InstanceId = "the-child" });
                }
                catch (TaskFailedException e)
                {
                    return "refused: " + e.FailureDetails.ErrorType;
                }
            });
        });
        await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("Child", "first", new StartOrchestrationOptions { InstanceId = "the-child" });
        await sidecar.WaitForCompletionAsync("the-child");

        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("Parent");

        Assert.Equal("refused: Pipeline.Durable.OrchestrationAlreadyExists", (await sidecar.WaitForCompletionAsync(id)).ReadOutputAs<string>());
        Assert.Equal("first", (await sidecar.Client.GetInstanceAsync("the-child", getInputsAndOutputs: true))!.ReadOutputAs<string>());
    }

    [Fact]
    public async Task A_failing_sub_orchestration_fails_the_parents_call()
    {
        var sidecar = await StartSidecarAsync();
        await sidecar.StartWorkerAsync(tasks =>
        {
            tasks.AddOrchestratorFunc<string>("Broken", _ => Task.FromException<string>(new ArgumentException("bad page")));
            tasks.AddOrchestratorFunc<string>("Parent", async ctx =>
            {
                try
                {
                    await ctx.CallSubOrchestratorAsync("Broken");
                    return "no failure";
                }
                catch (TaskFailedException e)
                {
                    return e.FailureDetails.ErrorMessage;
                }
            });
        });

        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("Parent");

        Assert.Equal("bad page", (await sidecar.WaitForCompletionAsync(id)).ReadOutputAs<string>());
    }
}
