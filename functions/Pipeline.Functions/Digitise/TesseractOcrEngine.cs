using System.Diagnostics;
using System.Text;
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
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { imagePath, "stdout", "-l", languages, "tsv" }) start.ArgumentList.Add(arg);
        start.Environment["OMP_THREAD_LIMIT"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(ct);
            var errors = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            if (process.ExitCode != 0)
                throw new OcrFailedException($"Tesseract could not read the page (exit code {process.ExitCode}): {(await errors).Trim()}");
            return TesseractTsv.Parse(await output);
        }
        catch (OperationCanceledException)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            throw;
        }
    }

    [GeneratedRegex("^[a-z_]{3,}(\\+[a-z_]{3,})*$")]
    private static partial Regex LanguageList();
}

/// <summary>The OCR engine could not read a page.</summary>
public sealed class OcrFailedException(string message) : Exception(message);
