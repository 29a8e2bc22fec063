namespace Pipeline.Functions.Extraction;

/// <summary>How extracted fields are trusted (host.json <c>pipeline.extraction</c>).</summary>
public sealed record ExtractionOptions
{
    /// <summary>
    /// A key field (code, date, type, issuer) below this confidence sends the document to review (<c>reviewThreshold</c>).
    /// Confidences are calibrated so that values at or above 0.9 are right at least 98 % of the time.
    /// </summary>
    public double ReviewThreshold { get; init; } = 0.9;
}
