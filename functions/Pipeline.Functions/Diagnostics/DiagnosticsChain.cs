using Pipeline.Durable;

namespace Pipeline.Functions.Diagnostics;

/// <summary>
/// <c>diagnostics-chain</c>: N <c>diagnostics-step</c> calls one after another, reporting progress after
/// each as custom status <c>{"completed","total"}</c>. Exercises replay over a growing history and shows,
/// after a crash, that each step's result is recorded exactly once.
/// </summary>
[DurableTask(Name)]
public sealed class DiagnosticsChain : TaskOrchestrator<DiagnosticsInput, DiagnosticsResult>
{
    /// <summary>The registered name.</summary>
    public const string Name = "diagnostics-chain";

    /// <summary>Most steps one instance may run.</summary>
    public const int MaxActivities = 1000;

    /// <inheritdoc/>
    public override async Task<DiagnosticsResult> RunAsync(TaskOrchestrationContext context, DiagnosticsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
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
