using System.Diagnostics;
using Pipeline.Durable;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Hosting;
using Pipeline.Functions.Storage;

namespace Pipeline.Functions.Digitise;

/// <summary>
/// Reads one page: OCR of the page rasterised at its planned resolution (which also yields the invisible text layer
/// for the archive), or the page's own text layer when the PDF already has one. The words, boxes and confidences go
/// to the catalog for field extraction. Idempotent: a page read again replaces its earlier record.
/// </summary>
[DurableTask(Name)]
public sealed class ReadPage(DocumentCatalog catalog, IBlobStore blobs, DataDirectory data, OcrEngineSelection engines, PageSlots slots)
    : TaskActivity<PageWork, PageOutcome>
{
    /// <summary>The registered name.</summary>
    public const string Name = "digitise-page";

    /// <inheritdoc/>
    public override async Task<PageOutcome> RunAsync(TaskActivityContext context, PageWork work)
    {
        var ct = context.CancellationToken;
        // The secrecy rule is checked before the page is even rendered.
        var engine = engines.For(work.Secrecy);
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
