using System.Text.RegularExpressions;

namespace Pipeline.Functions.Digitise;

/// <summary>
/// Tesseract 5 from Debian (<c>tesseract-ocr</c>, <c>tesseract-ocr-vie</c>), one process per page. Each process is
/// limited to one thread (<c>OMP_THREAD_LIMIT=1</c>): pages run in parallel as activities, and OpenMP threads
/// inside each would only fight over the same cores.
/// </summary>
public sealed partial class TesseractOcrEngine(string executable = "tesseract") : IOcrEngine
{
    /// <inheritdoc/>
    public string Name => "tesseract";

    /// <inheritdoc/>
    public bool IsLocal => true;

    /// <inheritdoc/>
    public async Task<OcrPage> RecognizeAsync(string imagePath, string languages, CancellationToken ct = default)
    {
        if (!LanguageList().IsMatch(languages))
            throw new ArgumentException($"\"{languages}\" is not a language list such as \"vie+eng\".", nameof(languages));
        var result = await ExternalTool.RunAsync(executable, [imagePath, "stdout", "-l", languages, "tsv"], ct,
            new Dictionary<string, string> { ["OMP_THREAD_LIMIT"] = "1" });
        if (result.ExitCode != 0)
            throw new OcrFailedException($"Tesseract could not read the page (exit code {result.ExitCode}): {result.Errors.Trim()}");
        return TesseractTsv.Parse(result.Output);
    }

    [GeneratedRegex("^[a-z_]{3,}(\\+[a-z_]{3,})*$")]
    private static partial Regex LanguageList();
}

/// <summary>The OCR engine could not read a page.</summary>
public sealed class OcrFailedException(string message) : Exception(message);
