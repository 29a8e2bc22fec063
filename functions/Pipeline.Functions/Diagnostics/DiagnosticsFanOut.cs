using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Pipeline.Functions.Diagnostics;

/// <summary>
/// <c>diagnostics-fanout</c>: N <c>diagnostics-step</c> calls at once, then waits for all of them (fan-out/fan-in).
/// Progress is set only at start and end: per-result updates would cost a status write per step for no insight.
/// Public, like <see cref="DiagnosticsChain"/>.
/// </summary>
public static class DiagnosticsFanOut
{
    /// <summary>The function (orchestration) name.</summary>
    public const string Name = "diagnostics-fanout";

    /// <summary>Most parallel steps one instance may run.</summary>
    public const int MaxActivities = 10_000;

    /// <summary>Runs the fan-out; an input out of range fails the instance with what to send instead.</summary>
    [Function(Name)]
    public static async Task<DiagnosticsResult> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var input = DiagnosticsInput.Read(context, MaxActivities);
        var total = input.Activities;
        context.SetCustomStatus(new DiagnosticsProgress(0, total));

        var steps = new Task<int>[total];
        for (var i = 0; i < total; i++)
            steps[i] = context.CallActivityAsync<int>(DiagnosticsStep.Name, new DiagnosticsStepInput(i, input.DelayMs));
        var results = await Task.WhenAll(steps);

        context.SetCustomStatus(new DiagnosticsProgress(results.Length, total));
        return new DiagnosticsResult(results.Length);
    }
}
