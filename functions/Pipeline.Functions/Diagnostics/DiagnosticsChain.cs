using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Pipeline.Functions.Diagnostics;

/// <summary>
/// <c>diagnostics-chain</c>: N <c>diagnostics-step</c> calls one after another, reporting progress after each as custom
/// status <c>{"completed","total"}</c>. Exercises replay over a growing history and shows, after a crash, that each
/// step's result is recorded exactly once. Public: any key holder may start it over
/// <c>POST /api/orchestrators/diagnostics-chain</c> with <c>{"activities": 5}</c> (host.json
/// <c>extensions.durableTask.managementApi.publicOrchestrations</c>).
/// </summary>
public static class DiagnosticsChain
{
    /// <summary>The function (orchestration) name.</summary>
    public const string Name = "diagnostics-chain";

    /// <summary>Most steps one instance may run.</summary>
    public const int MaxActivities = 1000;

    /// <summary>Runs the chain; an input out of range fails the instance with what to send instead.</summary>
    [Function(Name)]
    public static async Task<DiagnosticsResult> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var input = DiagnosticsInput.Read(context, MaxActivities);
        var total = input.Activities;
        context.SetCustomStatus(new DiagnosticsProgress(0, total));
        for (var i = 0; i < total; i++)
        {
            await context.CallActivityAsync<int>(DiagnosticsStep.Name, new DiagnosticsStepInput(i, input.DelayMs));
            context.SetCustomStatus(new DiagnosticsProgress(i + 1, total));
        }
        return new DiagnosticsResult(total);
    }
}
