using Pipeline.Functions.Approval;
using Pipeline.Functions.Digitise;
using Pipeline.Functions.Extraction;
using Pipeline.Functions.Intake;

namespace Pipeline.Functions.Hosting;

/// <summary>
/// host.json's <c>pipeline</c> section as the app uses it: read from configuration once at start (see
/// <see cref="HostJson.Read(IConfiguration)"/>), validated there, and registered as a singleton. Values missing from
/// host.json keep these defaults. <c>PIPELINE_</c> environment variables override the section
/// (<c>PIPELINE_DIGITISE__LANGUAGES=vie</c> → <c>pipeline:digitise:languages</c>).
/// </summary>
public sealed record PipelineHostOptions
{
    /// <summary>The host.json file these options came from; null when none was found and defaults apply.</summary>
    public string? SourcePath { get; init; }

    /// <summary><c>pipeline.intake</c>: what an upload may be.</summary>
    public IntakeLimits Intake { get; init; } = new();

    /// <summary><c>pipeline.digitise</c>: OCR languages and page concurrency.</summary>
    public DigitiseOptions Digitise { get; init; } = new();

    /// <summary><c>pipeline.extraction</c>: the review threshold of extracted fields.</summary>
    public ExtractionOptions Extraction { get; init; } = new();

    /// <summary><c>pipeline.approvals</c>: link grace, extra holidays, the public address for links, link rate limits.</summary>
    public ApprovalOptions Approvals { get; init; } = new();
}
