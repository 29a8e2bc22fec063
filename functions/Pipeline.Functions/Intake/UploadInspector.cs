using Pipeline.Functions.Digitise;
using Pipeline.Functions.Documents;

namespace Pipeline.Functions.Intake;

/// <summary>
/// The checks an upload gets before it is accepted: a known format by content, readable, not encrypted, and
/// within <see cref="IntakeLimits"/> — all without decoding a single image, so a decompression bomb is refused
/// for the cost of reading its header.
/// </summary>
public static class UploadInspector
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Inspects the stored upload at <paramref name="path"/>; a refusal says why in words a clerk can act on.</summary>
    public static async Task<UploadInspection> InspectAsync(string path, string fileName, IntakeLimits limits, CancellationToken ct = default)
    {
        var length = new FileInfo(path).Length;
        if (length == 0) return Refuse(StatusCodes.Status400BadRequest, "empty-file", $"The file \"{fileName}\" is empty", "Choose the scanned file again; nothing was stored.");

        var header = new byte[ScanFormats.HeaderLength];
        int read;
        await using (var file = File.OpenRead(path)) read = await file.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, ct);
        var format = ScanFormats.Detect(header.AsSpan(0, read));
        return format switch
        {
            ScanFormat.Unknown => Refuse(StatusCodes.Status415UnsupportedMediaType, "unsupported-type",
                $"The file \"{fileName}\" is not a PDF, TIFF, JPEG or PNG scan",
                "Upload the scan as PDF, TIFF, JPEG or PNG. The type is read from the file's content, not its name."),
            ScanFormat.Pdf => await InspectPdfAsync(path, fileName, limits, ct),
            _ => InspectImage(path, format, fileName, limits),
        };
    }

    /// <summary>The same checks on a document's base PDF, as digitisation runs them (limits may have changed since the upload).</summary>
    public static DocumentError? CheckPdf(PdfAnalysis analysis, IntakeLimits limits)
    {
        if (analysis.Pages == 0) return new("pdf-no-pages", "The PDF has no pages. Scan the document again.");
        if (analysis.Pages > limits.MaxPages)
            return new("too-many-pages", $"The document has {analysis.Pages} pages; at most {limits.MaxPages} are taken in one file. Split it into several files.");
        var bomb = analysis.PageInfo.FirstOrDefault(p => p.LargestImagePixels > limits.MaxImagePixels);
        if (bomb is not null)
            return new("image-too-large", $"Page {bomb.Number} holds an image of {Megapixels(bomb.LargestImagePixels)} megapixels; at most {Megapixels(limits.MaxImagePixels)} are taken. Scan it again at 300 dpi.");
        return null;
    }

    private static async Task<UploadInspection> InspectPdfAsync(string path, string fileName, IntakeLimits limits, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ToolTimeout);
        PdfAnalysis analysis;
        try
        {
            analysis = await Poppler.AnalyseAsync(path, timeout.Token);
        }
        catch (UnreadablePdfException e)
        {
            return Refuse(StatusCodes.Status422UnprocessableEntity, e.Encrypted ? "pdf-encrypted" : "pdf-damaged",
                e.Encrypted ? $"The PDF \"{fileName}\" is protected by a password" : $"The PDF \"{fileName}\" is damaged and cannot be read", e.Message);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Refuse(StatusCodes.Status422UnprocessableEntity, "pdf-too-complex", $"The PDF \"{fileName}\" took too long to open",
                "It is too complex or damaged to digitise. Scan the paper again or export a simpler PDF.");
        }
        return CheckPdf(analysis, limits) is { } error
            ? Refuse(StatusCodes.Status422UnprocessableEntity, error.Code, $"The PDF \"{fileName}\" cannot be digitised", error.Message)
            : new UploadInspection(ScanFormat.Pdf, analysis.Pages, null);
    }

    private static UploadInspection InspectImage(string path, ScanFormat format, string fileName, IntakeLimits limits)
    {
        ImageInfo? image;
        using (var file = File.OpenRead(path)) image = ImageHeader.Read(file, format);
        if (image is null || image.Frames.Count == 0)
            return Refuse(StatusCodes.Status422UnprocessableEntity, "image-damaged", $"The image \"{fileName}\" is damaged and cannot be read",
                "Scan the document again, or export the image again from the scanner software.");
        if (image.Frames.Count > limits.MaxPages)
            return Refuse(StatusCodes.Status422UnprocessableEntity, "too-many-pages", $"The image \"{fileName}\" has too many pages",
                $"It has {image.Frames.Count} pages; at most {limits.MaxPages} are taken in one file. Split it into several files.");
        if (image.LargestFramePixels > limits.MaxImagePixels)
            return Refuse(StatusCodes.Status422UnprocessableEntity, "image-too-large", $"The image \"{fileName}\" is too large",
                $"It is {Megapixels(image.LargestFramePixels)} megapixels; at most {Megapixels(limits.MaxImagePixels)} are taken. Scan it again at 300 dpi.");
        return new UploadInspection(format, image.Frames.Count, null);
    }

    private static UploadInspection Refuse(int status, string code, string title, string detail)
        => new(ScanFormat.Unknown, null, new UploadRefusal(status, code, title, detail));

    private static string Megapixels(long pixels) => (pixels / 1_000_000.0).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>What inspecting an upload found.</summary>
/// <param name="Format">The format, by content.</param>
/// <param name="Pages">Page count when known.</param>
/// <param name="Refusal">Why it is refused, or null when accepted.</param>
public sealed record UploadInspection(ScanFormat Format, int? Pages, UploadRefusal? Refusal);

/// <summary>Why an upload is refused: the problem answered to the client.</summary>
/// <param name="Status">HTTP status (400, 413, 415, 422).</param>
/// <param name="Code">Stable error code.</param>
/// <param name="Title">What is wrong, naming the file.</param>
/// <param name="Detail">What to do about it.</param>
public sealed record UploadRefusal(int Status, string Code, string Title, string Detail);
