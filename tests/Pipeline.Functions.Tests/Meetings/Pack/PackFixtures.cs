using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Pipeline.Functions.Digitise;
using Pipeline.Functions.Meetings.Pdf;
using Pipeline.Testing;

namespace Pipeline.Functions.Tests.Meetings.Pack;

/// <summary>Archive-like PDFs to bind into packs, and what the poppler and qpdf tools read back from a pack.</summary>
internal static partial class PackFixtures
{
    /// <summary>A scan from tests/corpus/vn-official.</summary>
    public static string Scan(string doc) => RepoPaths.CorpusPath("vn-official", doc, "scan.pdf");

    /// <summary>A PDF with one page per entry of <paramref name="pageTexts"/> (a real text layer, Vietnamese), each
    /// <paramref name="width"/> × <paramref name="height"/> points.</summary>
    public static string TextDocument(string path, double width, double height, params string[] pageTexts)
    {
        using (var file = File.Create(path))
        using (var pdf = new PdfWriter(file))
        {
            foreach (var text in pageTexts)
                pdf.AddPage(width, height).Paragraph(60, height - 60, width - 120, text, PdfFontStyle.Regular, 12, 16);
            pdf.Finish();
        }
        return path;
    }

    /// <summary>What an archive PDF is: a scanned page image with Tesseract's invisible text over it (page 1 of a corpus scan).</summary>
    public static async Task<string> OcrDocumentAsync(string scan, string directory, string name)
    {
        var image = Path.Combine(directory, name);
        await ToolAsync("pdftoppm", "-r", "100", "-gray", "-png", "-singlefile", "-f", "1", "-l", "1", scan, image);
        await ToolAsync("tesseract", image + ".png", image, "-l", "vie", "pdf");
        return image + ".pdf";
    }

    /// <summary>Runs a tool and returns what it printed; fails the test when it fails.</summary>
    public static async Task<string> ToolAsync(string executable, params string[] arguments)
    {
        var result = await ExternalTool.RunAsync(executable, arguments);
        Assert.True(result.ExitCode == 0, $"{executable} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Errors}");
        return result.Output;
    }

    /// <summary>The pages' extracted text (pdftotext: reading order, or content-stream order when <paramref name="raw"/>), one entry per page.</summary>
    public static async Task<string[]> PageTextsAsync(string pdf, bool raw = false)
    {
        var text = await ToolAsync("pdftotext", [.. raw ? ["-raw"] : Array.Empty<string>(), "-enc", "UTF-8", pdf, "-"]);
        return text.Split('\f')[..^1]; // pdftotext ends every page, the last one too, with a form feed
    }

    /// <summary>The words of a text, whitespace-separated.</summary>
    public static string[] Words(string text) => text.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Page count from pdfinfo.</summary>
    public static async Task<int> PageCountAsync(string pdf)
        => int.Parse(PagesLine().Match(await ToolAsync("pdfinfo", pdf)).Groups[1].Value, CultureInfo.InvariantCulture);

    /// <summary>Each word's box on page <paramref name="page"/> (pdftotext -bbox: points, origin top left of the page as
    /// shown), with the page's shown width and height.</summary>
    public static async Task<List<(string Text, double XMin, double YMin, double XMax, double YMax, double PageWidth, double PageHeight)>>
        WordBoxesAsync(string pdf, int page)
    {
        var html = await ToolAsync("pdftotext", "-bbox", "-enc", "UTF-8", "-f", Number(page), "-l", Number(page), pdf, "-");
        var size = PageSize().Match(html);
        double Get(Match m, int g) => double.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
        return WordBox().Matches(html)
            .Select(m => (System.Net.WebUtility.HtmlDecode(m.Groups[5].Value), Get(m, 1), Get(m, 2), Get(m, 3), Get(m, 4), Get(size, 1), Get(size, 2)))
            .ToList();
    }

    /// <summary>The top-level bookmarks with the 1-based page each opens (qpdf's JSON, which resolves the destinations).</summary>
    public static async Task<List<(string Title, int Page)>> OutlinesAsync(string pdf)
    {
        using var json = JsonDocument.Parse(await ToolAsync("qpdf", "--json", "--json-key=outlines", pdf));
        return json.RootElement.GetProperty("outlines").EnumerateArray()
            .Select(o => (o.GetProperty("title").GetString()!, o.GetProperty("destpageposfrom1").GetInt32()))
            .ToList();
    }

    public static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^Pages:\s+(\d+)", RegexOptions.Multiline)]
    private static partial Regex PagesLine();

    [GeneratedRegex("""<page width="([\d.]+)" height="([\d.]+)">""")]
    private static partial Regex PageSize();

    [GeneratedRegex("""<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>""")]
    private static partial Regex WordBox();
}
