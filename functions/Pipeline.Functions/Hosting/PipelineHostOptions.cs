using Pipeline.Durable;
using Pipeline.Functions.Approval;
using Pipeline.Functions.Digitise;
using Pipeline.Functions.Extraction;
using Pipeline.Functions.Intake;

namespace Pipeline.Functions.Hosting;

/// <summary>
/// host.json as the app uses it, read once at startup (see <see cref="HostJson"/>) and registered as a
/// singleton. Values missing from host.json keep these defaults, which match the engine's.
/// </summary>
public sealed record PipelineHostOptions
{
    /// <summary>The host.json file these options came from; null when none was found and defaults apply.</summary>
    public string? SourcePath { get; init; }

    /// <summary>
    /// Top-level <c>functionTimeout</c>: an activity running longer is cancelled and fails.
    /// Null when host.json has none or says <c>-1</c> (no limit).
    /// </summary>
    public TimeSpan? FunctionTimeout { get; init; }

    /// <summary><c>extensions.durableTask</c>.</summary>
    public DurableTaskHostOptions DurableTask { get; init; } = new();

    /// <summary><c>pipeline.intake</c>: what an upload may be.</summary>
    public IntakeLimits Intake { get; init; } = new();

    /// <summary><c>pipeline.digitise</c>: OCR languages and page concurrency.</summary>
    public DigitiseOptions Digitise { get; init; } = new();

    /// <summary><c>pipeline.extraction</c>: the review threshold of extracted fields.</summary>
    public ExtractionOptions Extraction { get; init; } = new();

    /// <summary><c>pipeline.approvals</c>: link grace, extra holidays, the public address for links, link rate limits.</summary>
    public ApprovalOptions Approvals { get; init; } = new();

    /// <summary>The engine's worker options: concurrency, leases, polling, default retry and the function timeout.</summary>
    public DurableTaskWorkerOptions ToWorkerOptions() => new()
    {
        MaxConcurrentOrchestrations = DurableTask.MaxConcurrentOrchestratorFunctions,
        MaxConcurrentActivities = DurableTask.MaxConcurrentActivityFunctions,
        LeaseDuration = DurableTask.LeaseDuration,
        MaxPollingInterval = DurableTask.MaxPollingInterval,
        DefaultActivityRetry = DurableTask.DefaultRetry?.ToRetryPolicy(),
        ActivityTimeout = FunctionTimeout,
    };
}
