using Microsoft.Azure.Functions.Worker;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Hosting;
using Pipeline.Functions.Intake;
using Pipeline.Functions.Storage;

namespace Pipeline.Functions.Digitise;

/// <summary>
/// First step of <see cref="DigitiseDocument"/>: marks the document Digitising, wraps image originals in a PDF
/// (losslessly, the original stays as uploaded), checks the limits again on what will really be read, and plans
/// each page's resolution. Idempotent: the base PDF is content-addressed, the plan is recomputed the same way.
/// </summary>
public sealed class PrepareDocument(DocumentCatalog catalog, IBlobStore blobs, DataDirectory data, PipelineHostOptions options)
{
    /// <summary>The function (activity) name.</summary>
    public const string Name = "digitise-prepare";

    /// <summary>Resolution for pages without any image (born-digital pages without a text layer).</summary>
    public const int DefaultDpi = 300;

    /// <summary>The activity.</summary>
    [Function(Name)]
    public async Task<DocumentPlan> Run([ActivityTrigger] string documentId, FunctionContext context)
    {
        var ct = context.CancellationToken;
        var document = await catalog.GetAsync(documentId, ct) ?? throw new InvalidOperationException($"Document {documentId} is not in the catalog.");
        var limits = options.Intake;
        DocumentPlan Reject(DocumentError error) => new(null, [], document.Languages, document.Secrecy, 1, 1, error);

        if (document.Status == DocumentStatus.Received)
            await catalog.UpdateAsync(documentId, d => d with { Status = DocumentStatus.Digitising }, new AuditEntry("digitising", AuditEntry.System), ct: ct);

        using var work = WorkDirectory.Create(data, "prepare");
        using var original = await blobs.GetLocalFileAsync(document.Sha256, ct) ?? throw new InvalidOperationException($"The original of {documentId} is missing from the blob store.");
        string baseSha256;
        if (document.ContentType == "application/pdf")
        {
            baseSha256 = document.Sha256;
        }
        else
        {
            try
            {
                await ScanConversion.ImageToPdfAsync(original.Path, work.File("base.pdf"), ct);
            }
            catch (UnreadableImageException e)
            {
                return Reject(new DocumentError("image-damaged", e.Message));
            }
            baseSha256 = (await blobs.PutFileAsync(work.File("base.pdf"), ct)).Sha256;
        }

        PdfAnalysis analysis;
        using (var basePdf = await blobs.GetLocalFileAsync(baseSha256, ct))
        {
            try
            {
                analysis = await Poppler.AnalyseAsync(basePdf!.Path, ct);
            }
            catch (UnreadablePdfException e)
            {
                return Reject(new DocumentError(e.Encrypted ? "pdf-encrypted" : "pdf-damaged", e.Message));
            }
        }
        if (UploadInspector.CheckPdf(analysis, limits) is { } error) return Reject(error);

        var pages = analysis.PageInfo.Select(p => new PagePlan(p.Number, PageResolution.Choose(p, limits.MaxPixelsPerPage, DefaultDpi), p.HasText)).ToList();
        if (pages.FirstOrDefault(p => p.Dpi < PageResolution.MinimumDpi) is { } huge)
            return Reject(new DocumentError("page-too-large",
                $"Page {huge.Number} is too large to read (more than {limits.MaxPixelsPerPage / 1_000_000} megapixels even at {PageResolution.MinimumDpi} dpi). Scan it in parts."));
        var totalPixels = analysis.PageInfo.Zip(pages).Sum(x => PageResolution.Pixels(x.First, x.Second.Dpi));
        if (totalPixels > limits.MaxTotalPixels)
            return Reject(new DocumentError("document-too-large",
                $"The document's pages add up to {totalPixels / 1_000_000} megapixels; at most {limits.MaxTotalPixels / 1_000_000} are taken. Split it into several files."));

        await catalog.UpdateAsync(documentId, d => d with { Pages = pages.Count, BaseSha256 = baseSha256 },
            new AuditEntry("pages-planned", AuditEntry.System, $"{pages.Count} pages, {pages.Count(p => p.HasText)} with a text layer, dpi {string.Join(",", pages.Select(p => p.Dpi).Distinct())}"), ct: ct);
        return new DocumentPlan(baseSha256, pages, document.Languages, document.Secrecy, options.Digitise.PageAttempts, options.Digitise.EffectiveParallelPages, null);
    }
}
