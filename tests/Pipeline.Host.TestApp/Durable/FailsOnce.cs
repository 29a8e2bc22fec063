using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Pipeline.Host.TestApp.Durable;

/// <summary>An orchestration that fails the first time it runs and succeeds once rewound (the rewind test).</summary>
public static class FailsOnceOrchestration
{
    /// <summary>
    /// Calls <c>Flaky</c> with one failure and no retry policy, so the first run fails with the activity's error; a
    /// rewind replays the failed call, which then succeeds: "ok after 2 attempts".
    /// </summary>
    [Function("FailsOnce")]
    public static Task<string> FailsOnce([OrchestrationTrigger] TaskOrchestrationContext context)
        => context.CallActivityAsync<string>("Flaky", new FlakyInput(context.GetInput<string>() ?? context.InstanceId, 1));

    /// <summary>Runs <c>FailsOnce</c> as a sub-orchestration, so a rewind of this parent must rewind the failed child too.</summary>
    [Function("FailsOnceParent")]
    public static Task<string> FailsOnceParent([OrchestrationTrigger] TaskOrchestrationContext context)
        => context.CallSubOrchestratorAsync<string>("FailsOnce", context.InstanceId + "-child");
}
