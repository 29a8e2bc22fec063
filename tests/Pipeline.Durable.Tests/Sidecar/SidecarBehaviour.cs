namespace Pipeline.Durable.Tests.Sidecar;

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Pipeline.Durable.Sidecar;
using Xunit.Abstractions;

/// <summary>
/// The conformance suite: Microsoft's standalone SDK (Worker.Grpc and Client.Grpc 1.28) against the sidecar, run once
/// per store by the derived classes.
/// </summary>
public abstract partial class SidecarBehaviour(ISidecarStoreSource stores, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<SidecarHost> _hosts = [];

    protected ITestOutputHelper Output { get; } = output;

    protected ISidecarStoreSource Stores { get; } = stores;

    protected bool OnSqlite => Stores.Kind == "sqlite";

    /// <summary>A sidecar on a new task hub, disposed with the test.</summary>
    protected async Task<SidecarHost> StartSidecarAsync(Action<DurableSidecarOptions>? configure = null)
    {
        var host = await SidecarHost.StartAsync(await Stores.NewTaskHubAsync(), Output, configure);
        _hosts.Add(host);
        return host;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
    }

    [Fact]
    public async Task Hello_sequence_runs_its_activities_in_order_and_returns_their_results()
    {
        var sidecar = await StartSidecarAsync();
        await sidecar.StartWorkerAsync(tasks =>
        {
            tasks.AddActivityFunc<string, string>("SayHello", (_, name) => $"Hello {name}!");
            tasks.AddOrchestratorFunc<List<string>>("HelloSequence", async ctx =>
            {
                var greetings = new List<string>();
                foreach (var city in new[] { "Tokyo", "Seattle", "London", "Hanoi", "Paris" })
                    greetings.Add(await ctx.CallActivityAsync<string>("SayHello", city));
                return greetings;
            });
        });

        var id = await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("HelloSequence");
        var result = await sidecar.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(["Hello Tokyo!", "Hello Seattle!", "Hello London!", "Hello Hanoi!", "Hello Paris!"], result.ReadOutputAs<List<string>>());
    }
}

