using Microsoft.Azure.Functions.Worker;

namespace Pipeline.Functions.Diagnostics;

/// <summary>
/// <c>diagnostics-step</c>: does nothing but (optionally) wait, and returns its index. Free of side effects, so running
/// it again after a crash is harmless.
/// </summary>
public sealed class DiagnosticsStep
{
    /// <summary>The function (activity) name.</summary>
    public const string Name = "diagnostics-step";

    /// <summary>Waits <see cref="DiagnosticsStepInput.DelayMs"/>, then returns the index.</summary>
    [Function(Name)]
    public async Task<int> Run([ActivityTrigger] DiagnosticsStepInput input, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        if (input.DelayMs > 0) await Task.Delay(input.DelayMs, context.CancellationToken);
        return input.Index;
    }
}

/// <summary>Input of one diagnostic step.</summary>
/// <param name="Index">The step's position (0-based).</param>
/// <param name="DelayMs">How long to wait before returning.</param>
public sealed record DiagnosticsStepInput(int Index, int DelayMs);
