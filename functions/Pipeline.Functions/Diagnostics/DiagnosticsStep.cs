using Pipeline.Durable;

namespace Pipeline.Functions.Diagnostics;

/// <summary>
/// <c>diagnostics-step</c>: does nothing but (optionally) wait, and returns its index. Free of side
/// effects, so running it again after a crash is harmless.
/// </summary>
[DurableTask(Name)]
public sealed class DiagnosticsStep : TaskActivity<DiagnosticsStepInput, int>
{
    /// <summary>The registered name.</summary>
    public const string Name = "diagnostics-step";

    /// <inheritdoc/>
    public override async Task<int> RunAsync(TaskActivityContext context, DiagnosticsStepInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.DelayMs > 0) await Task.Delay(input.DelayMs, context.CancellationToken);
        return input.Index;
    }
}

/// <summary>Input of one diagnostic step.</summary>
/// <param name="Index">The step's position (0-based).</param>
/// <param name="DelayMs">How long to wait before returning.</param>
public sealed record DiagnosticsStepInput(int Index, int DelayMs);
