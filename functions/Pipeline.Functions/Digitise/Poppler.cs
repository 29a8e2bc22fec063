using System.Globalization;
using System.Text.RegularExpressions;

namespace Pipeline.Functions.Digitise;

/// <summary>
/// PDF inspection and rendering with poppler-utils from Debian: pdfinfo (pages, encryption), pdfimages (the
/// resolution the page images were scanned at), pdftotext (an existing text layer), pdftoppm (page images).
/// </summary>
public static partial class Poppler
{
    /// <summary>Page count and encryption; throws <see cref="UnreadablePdfException"/> when poppler cannot open the file.</summary>
    public static async Task<PdfInfo> InfoAsync(string pdf, CancellationToken ct = default)
    {
        var result = await ExternalTool.RunAsync("pdfinfo", [pdf], ct);
        if (result.ExitCode != 0)
        {
            var encrypted = result.Errors.Contains("password", StringComparison.OrdinalIgnoreCase);
            throw new UnreadablePdfException(encrypted
                ? "The PDF is protected by a password. Save an unprotected copy and upload that."
                : "The PDF is damaged and cannot be read. Scan the document again or export a new PDF.", encrypted);
        }
        var pages = PagesLine().Match(result.Output);
        return new PdfInfo(pages.Success ? int.Parse(pages.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            EncryptedLine().IsMatch(result.Output));
    }

    /// <summary>
    /// The resolution (dpi) each page's images were scanned at, the highest image of each page; null for a page
    /// without images (born-digital). Rendering at this resolution keeps every pixel the scanner recorded.
    /// </summary>
    public static async Task<IReadOnlyDictionary<int, int>> NativeDpiAsync(string pdf, CancellationToken ct = default)
    {
        var result = await ExternalTool.RunAsync("pdfimages", ["-list", pdf], ct);
        var dpi = new Dictionary<int, int>();
        foreach (var line in result.Output.Split('\n').Skip(2))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 14 || !int.TryParse(f[0], out var page) || !int.TryParse(f[12], out var xppi)) continue;
            dpi[page] = Math.Max(dpi.GetValueOrDefault(page), xppi);
        }
        return dpi;
    }

    /// <summary>The page's existing text layer (empty for a pure scan), NFC.</summary>
    public static async Task<string> PageTextAsync(string pdf, int page, CancellationToken ct = default)
    {
        var p = page.ToString(CultureInfo.InvariantCulture);
        var result = await ExternalTool.RunAsync("pdftotext", ["-f", p, "-l", p, "-enc", "UTF-8", pdf, "-"], ct);
        return result.ExitCode == 0 ? VietnameseText.Normalize(result.Output.Trim('\f', '\n', ' ')) : "";
    }

    /// <summary>Renders one page to a PNG at <paramref name="dpi"/> and returns its path.</summary>
    public static async Task<string> RenderPageAsync(string pdf, int page, int dpi, string directory, CancellationToken ct = default)
    {
        var p = page.ToString(CultureInfo.InvariantCulture);
        var prefix = Path.Combine(directory, $"page-{p}");
        var result = await ExternalTool.RunAsync("pdftoppm",
            ["-r", dpi.ToString(CultureInfo.InvariantCulture), "-f", p, "-l", p, "-png", "-singlefile", pdf, prefix], ct);
        if (result.ExitCode != 0 || !File.Exists(prefix + ".png"))
            throw new UnreadablePdfException($"Page {page} of the PDF cannot be rendered: {result.Errors.Trim()}", encrypted: false);
        return prefix + ".png";
    }

    [GeneratedRegex(@"^Pages:\s+(\d+)", RegexOptions.Multiline)]
    private static partial Regex PagesLine();

    [GeneratedRegex(@"^Encrypted:\s+yes", RegexOptions.Multiline)]
    private static partial Regex EncryptedLine();
}

/// <summary>What pdfinfo says of a PDF.</summary>
/// <param name="Pages">Number of pages.</param>
/// <param name="Encrypted">True when the PDF is encrypted (even if it opens without a password).</param>
public sealed record PdfInfo(int Pages, bool Encrypted);

/// <summary>A PDF that cannot be read; the message says what the clerk can do.</summary>
public sealed class UnreadablePdfException(string message, bool encrypted) : Exception(message)
{
    /// <summary>True when a password is what stops it.</summary>
    public bool Encrypted { get; } = encrypted;
}
