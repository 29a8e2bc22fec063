using System.Diagnostics;
using Microsoft.Azure.Functions.Worker;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Hosting;
using Pipeline.Functions.Storage;

namespace Pipeline.Functions.Digitise;

/// <summary>
/// Reads one page: OCR of the page rasterised at its planned resolution (which also yields the invisible text layer
/// for the archive), or the page's own text layer when the PDF already has one. The words, boxes and confidences go
/// to the catalog for field extraction. Idempotent: a page read again replaces its earlier record.
/// </summary>
public sealed class ReadPage(DocumentCatalog catalog, IBlobStore blobs, DataDirectory data, OcrEngineSelection engines, PageSlots slots)
{
    /// <summary>The function (activity) name.</summary>
    public const string Name = "digitise-page";

    /// <summary>The activity.</summary>
    [Function(Name)]
    public async Task<PageOutcome> Run([ActivityTrigger] PageWork work, FunctionContext context)
    {
        var ct = context.CancellationToken;
        // The secrecy rule is checked before the page is even rendered, on the stricter of what the work item says and
        // what the catalog says now (a printed stamp or a correction may have raised it since the plan was made).
        var document = await catalog.GetAsync(work.DocumentId, ct) ?? throw new InvalidOperationException($"Document {work.DocumentId} is not in the catalog.");
        var engine = engines.For(document.Secrecy > work.Secrecy ? document.Secrecy : work.Secrecy);
        using var slot = await slots.EnterAsync(ct);
        using var scratch = WorkDirectory.Create(data, "page");
        using var basePdf = await blobs.GetLocalFileAsync(work.BaseSha256, ct) ?? throw new InvalidOperationException($"The base PDF of {work.DocumentId} is missing.");

        OcrPage page;
        string? layerSha256 = null;
        long engineMs = 0;
        if (work.Page.HasText)
        {
            page = await Poppler.PageWordsAsync(basePdf.Path, work.Page.Number, work.Page.Dpi, ct);
        }
        else
        {
            var image = await Poppler.RenderPageForOcrAsync(basePdf.Path, work.Page.Number, work.Page.Dpi, scratch.Path, ct);
            var layer = scratch.File("layer.pdf");
            var clock = Stopwatch.StartNew();
            page = await engine.RecognizeAsync(new OcrRequest(image, work.Page.Dpi, work.Languages, layer), ct);
            if (SignatureBlockPass.RegionToReread(page) is { } region)
            {
                var cut = await Poppler.RenderPageForOcrAsync(basePdf.Path, work.Page.Number, work.Page.Dpi, scratch.Path, ct, region);
                var again = await engine.RecognizeAsync(new OcrRequest(cut, work.Page.Dpi, work.Languages, null, SingleBlock: true), ct);
                page = SignatureBlockPass.Merge(page, again, region);
            }
            engineMs = clock.ElapsedMilliseconds;
            if (File.Exists(layer)) layerSha256 = (await blobs.PutFileAsync(layer, ct)).Sha256;
        }

        double? meanConfidence = page.Words.Count == 0 ? null : page.Words.Average(w => w.Confidence);
        await catalog.SavePageAsync(new PageRecord(work.DocumentId, work.Page.Number, work.Page.HasText ? "text-layer" : "ocr",
            PageRecord.WriteOcr(page), meanConfidence, engineMs, layerSha256), ct);
        return new PageOutcome(work.Page.Number, layerSha256, engineMs, page.Words.Count, work.Page.HasText ? null : engine.Name);
    }
}
