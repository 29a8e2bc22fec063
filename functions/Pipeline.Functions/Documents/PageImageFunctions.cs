using System.Globalization;
using Microsoft.Azure.Functions.Worker;
using Pipeline.Functions.Digitise;
using Pipeline.Functions.Hosting;
using Pipeline.Functions.Http;
using Pipeline.Functions.Storage;

namespace Pipeline.Functions.Documents;

/// <summary>
/// <c>GET /api/documents/{id}/pages/{n}/image</c>: one page of the document as a PNG, for a reviewer who checks the
/// fields against the scan. Rendered on request from the archive PDF (the base PDF before the archive exists) by
/// poppler, never stored; each read is recorded in the document's audit trail like every other read of its content.
/// </summary>
public sealed class PageImageFunctions(DocumentCatalog catalog, IBlobStore blobs, DataDirectory data)
{
    /// <summary>Resolution when the request names none: legible on a screen, small enough to load at once.</summary>
    public const int DefaultDpi = 100;

    /// <summary>Lowest resolution a request may ask for.</summary>
    public const int MinDpi = 50;

    /// <summary>Highest resolution a request may ask for (an A4 page at 200 dpi is about 1650 × 2340 pixels).</summary>
    public const int MaxDpi = 200;

    // Rendering is CPU work on the same cores as OCR: a burst of page views waits here instead of starving digitisation.
    private static readonly SemaphoreSlim Renders = new(Math.Max(1, Environment.ProcessorCount / 2));

    /// <summary>Page n (from 1) of the document as a PNG rendered from its archive PDF; <c>?dpi=50..200</c>, default 100.</summary>
    [Function("GetPageImage")]
    public async Task<IResult> GetPageImage(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/documents/{id}/pages/{n:int}/image")] HttpRequest request, string id, int n)
    {
        var http = request.HttpContext;
        var ct = http.RequestAborted;
        var dpi = DefaultDpi;
        if (request.Query["dpi"].ToString() is { Length: > 0 } requested
            && (!int.TryParse(requested, NumberStyles.None, CultureInfo.InvariantCulture, out dpi) || dpi is < MinDpi or > MaxDpi))
            return ApiProblems.InvalidInput($"\"{requested}\" is not a resolution for a page image", $"Use dpi from {MinDpi} to {MaxDpi}; the default is {DefaultDpi}.");

        var document = await catalog.GetAsync(id, ct);
        if (document is null) return DocumentsApi.NotFound(id);
        if (document.Status is DocumentStatus.Received or DocumentStatus.Digitising
            || (document.ArchiveSha256 ?? document.BaseSha256) is not { } sha256 || document.Pages is not { } pages)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"The pages of document '{id}' are not ready",
                detail: $"The document is {document.Status}. Its pages can be shown once it is digitised; watch its status.");
        if (n < 1 || n > pages)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"Document '{id}' has no page {n}",
                detail: $"It has {pages} page{(pages == 1 ? "" : "s")}, numbered from 1.");

        // Both are disposed once the response has been sent: the PNG is streamed from the scratch directory.
        var pdf = await blobs.GetLocalFileAsync(sha256, ct)
            ?? throw new InvalidOperationException($"Blob {sha256} (PDF of {id}) is missing from the blob store.");
        http.Response.RegisterForDispose(pdf);
        var scratch = WorkDirectory.Create(data, "image");
        http.Response.RegisterForDispose(scratch);

        string png;
        await Renders.WaitAsync(ct);
        try
        {
            png = await Poppler.RenderPageAsync(pdf.Path, n, dpi, scratch.Path, ct);
        }
        finally
        {
            Renders.Release();
        }

        await catalog.Audit.AppendAsync(id, new AuditEntry("opened-page-image", AuditActors.Of(http), $"page {n}, {dpi} dpi"), ct);
        http.Response.Headers.ContentDisposition = $"inline; filename*=UTF-8''{Uri.EscapeDataString($"{Path.GetFileNameWithoutExtension(document.FileName)}.page-{n}.png")}";
        // Private like every other read of a document's content: the image may show a secret document.
        http.Response.Headers.CacheControl = "private, no-store";
        var stream = new FileStream(png, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        return TypedResults.Stream(stream, "image/png");
    }
}
