using System.Text;
using Microsoft.Azure.Functions.Worker;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Extraction;
using Pipeline.Functions.Hosting;
using Pipeline.Functions.Storage;

namespace Pipeline.Functions.Digitise;

/// <summary>
/// Last step of <see cref="DigitiseDocument"/>: the plain text (pages separated by form feed), the archive PDF (the
/// original pages with the text layers over them, PDF/A-2b), the search index entry (text and fields), and the
/// document's new status — Digitised, or NeedsReview when no text, only text the engine was unsure of, or a doubtful
/// key field (code, date, type, issuer) came out. Everything is stored
/// before the status changes, in one catalog transaction with its audit entry.
/// </summary>
public sealed class AssembleArchive(DocumentCatalog catalog, IBlobStore blobs, DataDirectory data, ExtractionOptions extraction)
{
    /// <summary>The function (activity) name.</summary>
    public const string Name = "digitise-assemble";

    /// <summary>Below this mean word confidence a person should look at the text.</summary>
    public const double ReviewConfidence = 0.6;

    /// <summary>Fewer letters than this on all pages together means nothing readable was found.</summary>
    public const int MinimumLetters = 20;

    /// <summary>The activity: the document's new status.</summary>
    [Function(Name)]
    public async Task<string> Run([ActivityTrigger] AssembleWork work, FunctionContext context)
    {
        var ct = context.CancellationToken;
        var document = await catalog.GetAsync(work.DocumentId, ct) ?? throw new InvalidOperationException($"Document {work.DocumentId} is not in the catalog.");
        var stored = await catalog.GetPagesAsync(work.DocumentId, ct);
        if (stored.Count != work.Pages.Count) throw new InvalidOperationException($"{stored.Count} of {work.Pages.Count} pages of {work.DocumentId} are in the catalog.");
        var pages = stored.Select(p => p.ReadOcr()).ToList();

        var text = string.Join('\f', pages.Select(p => p.Text));
        var textSha256 = (await blobs.PutBytesAsync(new UTF8Encoding(false).GetBytes(text), ct)).Sha256;

        using var scratch = WorkDirectory.Create(data, "assemble");
        var layers = new List<LocalBlobFile?>();
        ArchivePdfResult archive;
        try
        {
            foreach (var page in work.Pages)
                layers.Add(page.TextLayerSha256 is null ? null : await blobs.GetLocalFileAsync(page.TextLayerSha256, ct)
                    ?? throw new InvalidOperationException($"The text layer of page {page.Number} is missing."));
            using var basePdf = await blobs.GetLocalFileAsync(work.BaseSha256, ct) ?? throw new InvalidOperationException($"The base PDF of {work.DocumentId} is missing.");
            archive = await ArchivePdf.BuildAsync(basePdf.Path, [.. layers.Select(l => l?.Path)], scratch.File("archive.pdf"), scratch.Path, ct);
        }
        finally
        {
            foreach (var layer in layers) layer?.Dispose();
        }
        var archiveSha256 = (await blobs.PutFileAsync(scratch.File("archive.pdf"), ct)).Sha256;

        var fields = DocumentFields.Parse(document.FieldsJson);
        var review = ReviewReason(text, pages, fields?.DoubtfulKeyFields(extraction.ReviewThreshold) ?? DocumentFields.KeyFields);
        var status = review is null ? DocumentStatus.Digitised : DocumentStatus.NeedsReview;
        // The engine that really read the pages, as each page reported it.
        var engine = work.Pages.Select(p => p.Engine).FirstOrDefault(e => e is not null) ?? "text-layer";
        var engineMs = work.Pages.Sum(p => p.EngineMilliseconds);
        await catalog.UpdateAsync(work.DocumentId, d => d with
            {
                Status = status, ReviewReason = review, Error = null, Pages = work.Pages.Count,
                TextSha256 = textSha256, ArchiveSha256 = archiveSha256, PdfA = archive.PdfA, Engine = engine, EngineMilliseconds = engineMs,
            },
            new AuditEntry(status == DocumentStatus.Digitised ? "digitised" : "needs-review", AuditEntry.System,
                $"{work.Pages.Count} pages, {pages.Sum(p => p.Words.Count)} words, engine {engine} {engineMs} ms, archive {(archive.PdfA ? "PDF/A-2b" : "PDF")} sha256 {archiveSha256}" +
                (review is null ? "" : $"; review: {review}")),
            DocumentSearchText.IndexContent(document.FileName, fields?.AllValues() ?? [], text), ct);
        return status.ToString();
    }

    private static string? ReviewReason(string text, IReadOnlyList<OcrPage> pages, IReadOnlyList<string> doubtfulKeyFields)
    {
        if (text.Count(char.IsLetter) < MinimumLetters) return "No readable text was found. Check that the scan is legible and the right way up, then type or correct the text.";
        var mean = pages.SelectMany(p => p.Words).Average(w => w.Confidence);
        if (mean < ReviewConfidence) return $"The text was read with low confidence ({mean:P0}). Check it against the scan.";
        return doubtfulKeyFields.Count > 0
            ? $"Check these fields against the scan: {string.Join(", ", doubtfulKeyFields)}."
            : null;
    }
}
