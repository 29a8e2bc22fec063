using System.Text.Json;
using Pipeline.Functions.Digitise;

namespace Pipeline.Functions.Documents;

/// <summary>What was read on one page, kept for field extraction and review.</summary>
/// <param name="DocumentId">The document.</param>
/// <param name="Number">Page number, from 1.</param>
/// <param name="Source"><c>ocr</c> (read by the engine) or <c>text-layer</c> (the PDF already had text).</param>
/// <param name="OcrJson">The page's <see cref="OcrPage"/> as JSON: words with boxes and confidences, and the text.</param>
/// <param name="MeanConfidence">Mean word confidence 0..1; null for a page without words.</param>
/// <param name="EngineMilliseconds">Wall-clock time inside the OCR engine for this page.</param>
/// <param name="TextLayerSha256">The one-page invisible-text PDF laid over the page in the archive; null when none is needed.</param>
public sealed record PageRecord(string DocumentId, int Number, string Source, string OcrJson, double? MeanConfidence, long EngineMilliseconds, string? TextLayerSha256)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The page's OCR as stored in <paramref name="OcrJson"/>.</summary>
    public OcrPage ReadOcr() => JsonSerializer.Deserialize<OcrPage>(OcrJson, Json)!;

    /// <summary>The JSON a page's OCR is stored as.</summary>
    public static string WriteOcr(OcrPage page) => JsonSerializer.Serialize(page, Json);
}
