using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace Pipeline.Functions.Digitise;

/// <summary>
/// PDF inspection and rendering with poppler-utils from Debian: pdfinfo (pages, encryption), pdfimages (the
/// resolution the page images were scanned at), pdftotext (an existing text layer), pdftoppm (page images).
/// </summary>
public static partial class Poppler
{
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

    /// <summary>
    /// Everything the digitiser decides a PDF's fate by, without decoding a single image: page count, encryption,
    /// and per page its displayed size, the resolution it was scanned at, its largest image in pixels (so a
    /// decompression bomb such as a 35000×35000 fax image is refused before anything renders it) and whether it
    /// already carries a text layer. Three quick tool runs (pdfinfo, pdfimages -list, pdftotext) whatever the page count.
    /// </summary>
    /// <exception cref="UnreadablePdfException">The PDF needs a password, is damaged, or has no pages.</exception>
    public static async Task<PdfAnalysis> AnalyseAsync(string pdf, CancellationToken ct = default)
    {
        // pdfinfo clamps -l to the last page, so one run gives every page's size without knowing the count first.
        var info = ExternalTool.RunAsync("pdfinfo", ["-f", "1", "-l", int.MaxValue.ToString(CultureInfo.InvariantCulture), pdf], ct);
        var images = ExternalTool.RunAsync("pdfimages", ["-list", pdf], ct);
        var text = ExternalTool.RunAsync("pdftotext", ["-enc", "UTF-8", pdf, "-"], ct);
        await Task.WhenAll(info, images, text);

        var infoResult = await info;
        if (infoResult.ExitCode != 0) throw Unreadable(infoResult);
        var pageCount = PagesLine().Match(infoResult.Output) is { Success: true } m
            ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        if (pageCount == 0)
            throw new UnreadablePdfException("The PDF has no pages. Scan the document again or export a new PDF.", encrypted: false);

        var sizes = new Dictionary<int, (double W, double H)>();
        foreach (Match size in PageSizeLine().Matches(infoResult.Output))
            sizes[int.Parse(size.Groups[1].Value, CultureInfo.InvariantCulture)] = (Number(size.Groups[2].Value), Number(size.Groups[3].Value));
        foreach (Match rotation in PageRotationLine().Matches(infoResult.Output))
        {
            // A page turned a quarter is shown (and rendered) with width and height swapped.
            var page = int.Parse(rotation.Groups[1].Value, CultureInfo.InvariantCulture);
            var quarterTurns = (int)Math.Round(Number(rotation.Groups[2].Value) / 90);
            if (quarterTurns % 2 != 0 && sizes.TryGetValue(page, out var s)) sizes[page] = (s.H, s.W);
        }

        var imageStats = ImagesPerPage((await images).Output);
        var pageTexts = (await text).Output.Split('\f');

        var pages = new List<PdfPageInfo>(pageCount);
        for (var n = 1; n <= pageCount; n++)
        {
            var (w, h) = sizes.GetValueOrDefault(n);
            var (dpi, pixels) = imageStats.TryGetValue(n, out var stat) ? ((int?)stat.Dpi, stat.Pixels) : (null, 0L);
            var letters = n - 1 < pageTexts.Length ? pageTexts[n - 1].Count(char.IsLetter) : 0;
            pages.Add(new PdfPageInfo(n, w, h, dpi, pixels, letters >= MinTextLayerLetters));
        }
        return new PdfAnalysis(pageCount, EncryptedLine().IsMatch(infoResult.Output), pages);
    }

    /// <summary>
    /// Renders one page as 8-bit greyscale PGM at <paramref name="dpi"/> for OCR and returns its path. PGM because
    /// it is ten times faster to write than PNG (0.15 s against 1.4 s for an A4 page at 200 dpi) and Tesseract
    /// works in grey anyway; the file is large (≈4 MB), so delete it after OCR.
    /// </summary>
    /// <exception cref="UnreadablePdfException">poppler could not render the page.</exception>
    public static async Task<string> RenderPageForOcrAsync(string pdf, int page, int dpi, string directory, CancellationToken ct = default,
        PixelRegion? region = null)
    {
        var p = page.ToString(CultureInfo.InvariantCulture);
        var prefix = Path.Combine(directory, region is null ? $"ocr-page-{p}" : $"ocr-page-{p}-region");
        string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        string[] crop = region is { } r ? ["-x", I(r.Left), "-y", I(r.Top), "-W", I(r.Width), "-H", I(r.Height)] : [];
        var result = await ExternalTool.RunAsync("pdftoppm",
            ["-r", dpi.ToString(CultureInfo.InvariantCulture), "-f", p, "-l", p, .. crop, "-gray", "-singlefile", pdf, prefix], ct);
        if (result.ExitCode != 0 || !File.Exists(prefix + ".pgm"))
            throw new UnreadablePdfException($"Page {page} of the PDF cannot be rendered: {result.Errors.Trim()}", encrypted: false);
        return prefix + ".pgm";
    }

    /// <summary>
    /// The words of a page that already has a text layer, in the same shape OCR gives: boxes in pixels of the page
    /// rendered at <paramref name="dpi"/> (Width/Height are that rendering's size, as pdftoppm makes it), confidence
    /// 1, and the layout's flows, blocks and lines as block, paragraph and line numbers.
    /// </summary>
    /// <exception cref="UnreadablePdfException">poppler could not read the page.</exception>
    public static async Task<OcrPage> PageWordsAsync(string pdf, int page, int dpi, CancellationToken ct = default)
    {
        var p = page.ToString(CultureInfo.InvariantCulture);
        var result = await ExternalTool.RunAsync("pdftotext", ["-f", p, "-l", p, "-bbox-layout", "-enc", "UTF-8", pdf, "-"], ct);
        if (result.ExitCode != 0)
            throw new UnreadablePdfException($"Page {page} of the PDF cannot be read: {result.Errors.Trim()}", encrypted: false);
        return ParseBboxLayout(result.Output, dpi);
    }

    /// <summary>
    /// Turns <c>pdftotext -bbox-layout</c> XHTML of one page (boxes in points, origin top left) into an <see cref="OcrPage"/> in
    /// pixels at <paramref name="dpi"/>. Flows become blocks, pdftotext's blocks paragraphs, so the page text breaks
    /// where the layout does, exactly as OCR text would.
    /// </summary>
    public static OcrPage ParseBboxLayout(string xhtml, int dpi)
    {
        var scale = dpi / 72.0;
        // Same rounding as pdftoppm, so the boxes fit the image that page would render to.
        static int Pixels(double points, double scale) => (int)Math.Ceiling(points * scale - 1e-6);

        XNamespace ns = "http://www.w3.org/1999/xhtml";
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
        using var reader = XmlReader.Create(new StringReader(xhtml), settings);
        var page = XDocument.Load(reader).Descendants(ns + "page").FirstOrDefault();
        if (page is null) return new OcrPage(0, 0, [], "");

        var words = new List<OcrWord>();
        var flowNumber = 0;
        foreach (var flow in page.Elements(ns + "flow"))
        {
            flowNumber++;
            var blockNumber = 0;
            foreach (var block in flow.Elements(ns + "block"))
            {
                blockNumber++;
                var lineNumber = 0;
                foreach (var line in block.Elements(ns + "line"))
                {
                    lineNumber++;
                    foreach (var word in line.Elements(ns + "word"))
                    {
                        var text = VietnameseText.Normalize(word.Value.Trim());
                        if (text.Length == 0) continue;
                        double At(string name) => Number((string?)word.Attribute(name) ?? "0");
                        var left = (int)Math.Floor(At("xMin") * scale);
                        var top = (int)Math.Floor(At("yMin") * scale);
                        words.Add(new OcrWord(text, left, top,
                            Math.Max(1, Pixels(At("xMax"), scale) - left), Math.Max(1, Pixels(At("yMax"), scale) - top),
                            1.0, flowNumber, blockNumber, lineNumber));
                    }
                }
            }
        }
        return new OcrPage(Pixels(Number((string?)page.Attribute("width") ?? "0"), scale),
            Pixels(Number((string?)page.Attribute("height") ?? "0"), scale), words, OcrPage.TextOf(words));
    }


    /// <summary>Fewer letters than this is stray marks (a page number, a scanner's stamp), not a text layer worth keeping.</summary>
    private const int MinTextLayerLetters = 10;

    private static UnreadablePdfException Unreadable(ToolResult pdfinfo)
    {
        var encrypted = pdfinfo.Errors.Contains("password", StringComparison.OrdinalIgnoreCase);
        return new UnreadablePdfException(encrypted
            ? "The PDF is protected by a password. Save an unprotected copy and upload that."
            : "The PDF is damaged and cannot be read. Scan the document again or export a new PDF.", encrypted);
    }

    private static Dictionary<int, (int Dpi, long Pixels)> ImagesPerPage(string pdfimagesList)
    {
        var stats = new Dictionary<int, (int Dpi, long Pixels)>();
        foreach (var line in pdfimagesList.Split('\n').Skip(2))
        {
            // page num type width height color comp bpc enc interp object ID x-ppi y-ppi size ratio
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 14 || !int.TryParse(f[0], out var page) || !long.TryParse(f[3], out var width)
                || !long.TryParse(f[4], out var height)) continue;
            var xppi = int.TryParse(f[12], out var x) ? x : 0;
            var (dpi, pixels) = stats.GetValueOrDefault(page);
            stats[page] = (Math.Max(dpi, xppi), Math.Max(pixels, width * height));
        }
        return stats;
    }

    private static double Number(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^Page\s+(\d+)\s+size:\s+([\d.]+) x ([\d.]+) pts", RegexOptions.Multiline)]
    private static partial Regex PageSizeLine();

    [GeneratedRegex(@"^Page\s+(\d+)\s+rot:\s+(-?[\d.]+)", RegexOptions.Multiline)]
    private static partial Regex PageRotationLine();

    [GeneratedRegex(@"^Pages:\s+(\d+)", RegexOptions.Multiline)]
    private static partial Regex PagesLine();

    [GeneratedRegex(@"^Encrypted:\s+yes", RegexOptions.Multiline)]
    private static partial Regex EncryptedLine();
}

/// <summary>What <see cref="Poppler.AnalyseAsync"/> found in a PDF.</summary>
/// <param name="Pages">Number of pages (at least 1).</param>
/// <param name="Encrypted">True when the PDF is encrypted though it opens without a password (owner restrictions only).</param>
/// <param name="PageInfo">One entry per page, in page order.</param>
public sealed record PdfAnalysis(int Pages, bool Encrypted, IReadOnlyList<PdfPageInfo> PageInfo);

/// <summary>One page as <see cref="Poppler.AnalyseAsync"/> sees it.</summary>
/// <param name="Number">Page number, from 1.</param>
/// <param name="WidthPt">Width as displayed (crop box, after the page's rotation), points.</param>
/// <param name="HeightPt">Height as displayed, points.</param>
/// <param name="NativeDpi">The highest resolution of the page's images (the scanner's), or null for a page without images.</param>
/// <param name="LargestImagePixels">Width × height of the page's largest image (0 without images): what decoding it would cost.</param>
/// <param name="HasText">True when the page already has a text layer (at least 10 letters of extractable text).</param>
public sealed record PdfPageInfo(int Number, double WidthPt, double HeightPt, int? NativeDpi, long LargestImagePixels, bool HasText);

/// <summary>A rectangle of a page rendering, in pixels from its top left corner.</summary>
public sealed record PixelRegion(int Left, int Top, int Width, int Height);

/// <summary>A PDF that cannot be read; the message says what the clerk can do.</summary>
public sealed class UnreadablePdfException(string message, bool encrypted) : Exception(message)
{
    /// <summary>True when a password is what stops it.</summary>
    public bool Encrypted { get; } = encrypted;
}
