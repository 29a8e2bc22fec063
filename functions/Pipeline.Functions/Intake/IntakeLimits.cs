namespace Pipeline.Functions.Intake;

/// <summary>
/// What an upload may be (host.json <c>pipeline.intake</c>). The defaults take any real archive scan (an A2 page
/// at 300 dpi, a 1 000-page register) and refuse decompression bombs before anything decodes them.
/// </summary>
public sealed record IntakeLimits
{
    /// <summary>Largest file, bytes (<c>maxFileBytes</c>). Default 200 MB.</summary>
    public long MaxFileBytes { get; init; } = 200L * 1024 * 1024;

    /// <summary>Most files in one upload request (<c>maxFilesPerUpload</c>).</summary>
    public int MaxFilesPerUpload { get; init; } = 100;

    /// <summary>Most pages in one document (<c>maxPages</c>).</summary>
    public int MaxPages { get; init; } = 1000;

    /// <summary>
    /// Largest page image the OCR engine is given, pixels (<c>maxPixelsPerPage</c>). A page whose native resolution
    /// gives more is read at the highest resolution that fits (the archive keeps the original image regardless).
    /// Default 40 Mpx: an A2 page at 300 dpi.
    /// </summary>
    public long MaxPixelsPerPage { get; init; } = 40_000_000;

    /// <summary>
    /// Largest single image inside an upload, pixels (<c>maxImagePixels</c>): the decoded size of one embedded
    /// image. More than this is refused as a decompression bomb. Default 250 Mpx (an A0 sheet at 400 dpi).
    /// </summary>
    public long MaxImagePixels { get; init; } = 250_000_000;

    /// <summary>Most pixels in one document, all pages at their OCR resolution (<c>maxTotalPixels</c>). Default 4 Gpx.</summary>
    public long MaxTotalPixels { get; init; } = 4_000_000_000;
}
