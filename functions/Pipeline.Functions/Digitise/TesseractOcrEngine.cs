using System.Globalization;
using System.Text.RegularExpressions;

namespace Pipeline.Functions.Digitise;

/// <summary>
/// Tesseract 5 from Debian (<c>tesseract-ocr</c>, <c>tesseract-ocr-vie</c>), one process per page. Each process is
/// limited to one thread (<c>OMP_THREAD_LIMIT=1</c>): pages run in parallel as activities, and OpenMP threads
/// inside each would only fight over the same cores. For the same reason the engine admits at most
/// <c>maxParallel</c> processes at once, however many activities call it: register one engine per process.
/// </summary>
public sealed partial class TesseractOcrEngine : IOcrEngine
{
    /// <summary>Tesseract ignores a resolution outside this range and guesses one, which would give the text layer the wrong page size.</summary>
    private const int MinDpi = 70, MaxDpi = 2400;

    private readonly string _executable;
    private readonly SemaphoreSlim _slots;

    /// <summary>An engine running <paramref name="executable"/>, at most <paramref name="maxParallel"/> pages at once (default: one per core).</summary>
    public TesseractOcrEngine(string executable = "tesseract", int maxParallel = 0)
    {
        _executable = executable;
        MaxParallel = maxParallel > 0 ? maxParallel : Environment.ProcessorCount;
        _slots = new SemaphoreSlim(MaxParallel, MaxParallel);
    }

    /// <summary>How many Tesseract processes this engine runs at once at most; callers beyond that wait their turn.</summary>
    public int MaxParallel { get; }

    /// <inheritdoc/>
    public string Name => "tesseract";

    /// <inheritdoc/>
    public bool IsLocal => true;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The language list is not plain codes, or the dpi is outside 70–2400.</exception>
    /// <exception cref="OcrFailedException">Tesseract could not read the image.</exception>
    public async Task<OcrPage> RecognizeAsync(OcrRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!OcrLanguages.IsValid(request.Languages))
            throw new ArgumentException($"\"{request.Languages}\" is not a language list such as \"vie+eng\".", nameof(request));
        if (request.Dpi is < MinDpi or > MaxDpi)
            throw new ArgumentOutOfRangeException(nameof(request), request.Dpi, $"Tesseract needs a resolution of {MinDpi}–{MaxDpi} dpi.");

        var dpi = request.Dpi.ToString(CultureInfo.InvariantCulture);
        await _slots.WaitAsync(ct);
        try
        {
            if (request.TextLayerPdfPath is null)
            {
                string[] layout = request.SingleBlock ? ["--psm", "6"] : [];
                var result = await RunAsync([request.ImagePath, "stdout", "--dpi", dpi, .. layout, "-l", request.Languages, "tsv"], ct);
                return TesseractTsv.Parse(result.Output);
            }

            // Tesseract names its outputs <base>.pdf and <base>.tsv; a private base beside the target keeps
            // concurrent pages (and a target not ending in .pdf) from colliding, and the final move is atomic.
            var target = Path.GetFullPath(request.TextLayerPdfPath);
            var outputBase = Path.Combine(Path.GetDirectoryName(target)!, $".ocr-{Guid.NewGuid():N}");
            try
            {
                await RunAsync([request.ImagePath, outputBase, "--dpi", dpi, "-l", request.Languages,
                    "-c", "textonly_pdf=1", "pdf", "tsv"], ct);
                var page = TesseractTsv.Parse(await File.ReadAllTextAsync(outputBase + ".tsv", ct));
                File.Move(outputBase + ".pdf", target, overwrite: true);
                return page;
            }
            finally
            {
                File.Delete(outputBase + ".tsv");
                File.Delete(outputBase + ".pdf");
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<ToolResult> RunAsync(string[] arguments, CancellationToken ct)
    {
        var result = await ExternalTool.RunAsync(_executable, arguments, ct,
            new Dictionary<string, string> { ["OMP_THREAD_LIMIT"] = "1" });
        if (result.ExitCode != 0)
            throw new OcrFailedException($"Tesseract could not read the page (exit code {result.ExitCode}): {result.Errors.Trim()}");
        return result;
    }
}

/// <summary>The OCR engine could not read a page.</summary>
public sealed class OcrFailedException(string message) : Exception(message);
