using System.Diagnostics;
using System.Globalization;
using System.Xml.Linq;
using Pipeline.Functions.Digitise;
using Pipeline.Testing;

namespace Pipeline.Functions.Tests;

public sealed class ArchivePdfTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-archive-").FullName;

    public void Dispose() => PipelineApp.DeleteDirectory(_dir);

    private static string Official(string doc) => RepoPaths.CorpusPath("vn-official", doc, "scan.pdf");
    private static string Resource(string name) => RepoPaths.CorpusPath("ocrmypdf-resources", name);

    [CorpusFact]
    public async Task The_archive_of_a_scan_is_pdfa_searchable_where_the_words_are_and_keeps_the_scanner_images()
    {
        var scan = Official("doc000");
        var engine = new TesseractOcrEngine();
        var pages = await Task.WhenAll(new[] { 1, 2 }.Select(async n =>
        {
            var image = await Poppler.RenderPageForOcrAsync(scan, n, 200, _dir);
            var layer = Path.Combine(_dir, $"text-{n}.pdf");
            return (Layer: layer, Page: await engine.RecognizeAsync(new OcrRequest(image, 200, "vie+eng", layer)));
        }));
        var archive = Path.Combine(_dir, "archive.pdf");

        var clock = Stopwatch.StartNew();
        var result = await ArchivePdf.BuildAsync(scan, pages.Select(p => (string?)p.Layer).ToList(), archive, Path.Combine(_dir, "work"));
        clock.Stop();

        Assert.True(result.PdfA);
        var analysis = await Poppler.AnalyseAsync(archive);
        Assert.Equal(2, analysis.Pages);
        Assert.All(analysis.PageInfo, p => Assert.Equal((595.44, 841.68, 200), (p.WidthPt, p.HeightPt, p.NativeDpi)));
        Assert.Contains("ĐẢNG CỘNG SẢN VIỆT NAM", (await Run("pdftotext", "-f", "1", "-l", "1", "-enc", "UTF-8", archive, "-")).Trim('\f', '\n', ' '));
        await AssertImagesKeptAsync(scan, archive);

        // The selectable word sits on the printed one: OCR's pixel box at 200 dpi, in points, within a few points.
        var ocrWord = pages[0].Page.Words.First(w => w.Text == "CỘNG");
        var pdfWord = (await WordBoxesAsync(archive, 1)).First(w => w.Text == "CỘNG");
        const double pointsPerPixel = 72.0 / 200;
        Assert.InRange(pdfWord.XMin, ocrWord.Left * pointsPerPixel - 3, ocrWord.Left * pointsPerPixel + 3);
        Assert.InRange(pdfWord.YMin, ocrWord.Top * pointsPerPixel - 4, ocrWord.Top * pointsPerPixel + 4);
        // Tesseract's invisible font approximates glyph widths, so the right edge may fall short; the middle lies inside.
        Assert.InRange((pdfWord.XMin + pdfWord.XMax) / 2, ocrWord.Left * pointsPerPixel, (ocrWord.Left + ocrWord.Width) * pointsPerPixel);

        var catalog = await QdfAsync(archive);
        Assert.Contains("/OutputIntents", catalog);
        Assert.Contains("pdfaid:part='2'", catalog);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"building the archive took {clock.Elapsed}");
    }

    [CorpusFact]
    public async Task Pages_without_a_text_layer_are_left_as_they_are_and_a_colour_managed_scan_is_not_recoloured()
    {
        // multipage.pdf page 1 is an ICC-tagged colour JPEG at 150 dpi; page 3 a 958 × 400 px image at 96 dpi.
        var scan = Path.Combine(_dir, "scan.pdf");
        await Run("qpdf", "--empty", "--pages", Resource("multipage.pdf"), "1,3", "--", scan);
        var layer = Path.Combine(_dir, "text-2.pdf");
        var image = await Poppler.RenderPageForOcrAsync(scan, 2, 96, _dir);
        await new TesseractOcrEngine().RecognizeAsync(new OcrRequest(image, 96, "eng", layer));
        var archive = Path.Combine(_dir, "archive.pdf");

        var result = await ArchivePdf.BuildAsync(scan, [null, layer], archive, Path.Combine(_dir, "work"));

        var analysis = await Poppler.AnalyseAsync(archive);
        Assert.Equal([150, 96], analysis.PageInfo.Select(p => p.NativeDpi));
        Assert.Equal("", (await Run("pdftotext", "-f", "1", "-l", "1", "-enc", "UTF-8", archive, "-")).Trim('\f', '\n', ' '));
        Assert.True(analysis.PageInfo[1].HasText);
        // Ghostscript's RGB conversion would decode and re-encode the ICC-tagged JPEG: the archive stays the
        // searchable original instead, not PDF/A.
        Assert.False(result.PdfA);
        await AssertImagesKeptAsync(scan, archive);
    }

    [CorpusFact]
    public async Task A_bilevel_fax_scan_stays_pdfa_with_its_image_intact()
    {
        var archive = Path.Combine(_dir, "archive.pdf");

        var result = await ArchivePdf.BuildAsync(Resource("ccitt.pdf"), [null], archive, Path.Combine(_dir, "work"));

        Assert.True(result.PdfA);
        var before = await ImageListAsync(Resource("ccitt.pdf"));
        var after = await ImageListAsync(archive);
        Assert.Equal(before, after); // page, size, colour, 1 bit, ccitt, resolution
        // Same pixels: render both and compare.
        Assert.Equal(await RenderAsync(Resource("ccitt.pdf"), "a"), await RenderAsync(archive, "b"));
    }

    [CorpusFact]
    public async Task Text_layers_must_match_the_page_count()
        => await Assert.ThrowsAsync<ArgumentException>(() =>
            ArchivePdf.BuildAsync(Official("doc000"), [null], Path.Combine(_dir, "a.pdf"), _dir));

    /// <summary>pdfimages -all of both: each archive image is the original's bytes (plus at most the redundant EOI
    /// marker ghostscript 10.0 appends to JPEG data it passes through).</summary>
    private async Task AssertImagesKeptAsync(string original, string archive, params int[] pages)
    {
        var a = Directory.CreateDirectory(Path.Combine(_dir, "images-original")).FullName;
        var b = Directory.CreateDirectory(Path.Combine(_dir, "images-archive")).FullName;
        foreach (var page in pages.Length > 0 ? pages.Select(p => p.ToString(CultureInfo.InvariantCulture)) : ["1-"])
        {
            string[] range = page == "1-" ? [] : ["-f", page, "-l", page];
            await Run("pdfimages", ["-all", .. range, original, Path.Combine(a, "p" + page)]);
            await Run("pdfimages", ["-all", .. range, archive, Path.Combine(b, "p" + page)]);
        }
        var originals = Directory.GetFiles(a).Order().ToList();
        var archived = Directory.GetFiles(b).Order().ToList();
        Assert.Equal(originals.Select(Path.GetFileName), archived.Select(Path.GetFileName));
        foreach (var (o, k) in originals.Zip(archived))
        {
            var (before, after) = (await File.ReadAllBytesAsync(o), await File.ReadAllBytesAsync(k));
            if (after.Length == before.Length + 2 && o.EndsWith(".jpg")) after = after[..^2];
            Assert.True(before.AsSpan().SequenceEqual(after), $"{Path.GetFileName(o)} changed");
        }
        PipelineApp.DeleteDirectory(a);
        PipelineApp.DeleteDirectory(b);
    }

    private sealed record PdfWord(string Text, double XMin, double YMin, double XMax, double YMax);

    private static async Task<List<PdfWord>> WordBoxesAsync(string pdf, int page)
    {
        var p = page.ToString(CultureInfo.InvariantCulture);
        var xhtml = await Run("pdftotext", "-f", p, "-l", p, "-bbox", pdf, "-");
        XNamespace ns = "http://www.w3.org/1999/xhtml";
        var document = XDocument.Parse(xhtml[xhtml.IndexOf("<html", StringComparison.Ordinal)..]);
        double At(XElement w, string name) => double.Parse((string)w.Attribute(name)!, CultureInfo.InvariantCulture);
        return document.Descendants(ns + "word")
            .Select(w => new PdfWord(VietnameseText.Normalize(w.Value), At(w, "xMin"), At(w, "yMin"), At(w, "xMax"), At(w, "yMax")))
            .ToList();
    }

    private static async Task<string> QdfAsync(string pdf)
    {
        // The document catalog and XMP packet, uncompressed; image streams stay out (--stream-data=preserve).
        return await Run("qpdf", "--qdf", "--object-streams=disable", "--stream-data=preserve", pdf, "-");
    }

    private static async Task<List<string>> ImageListAsync(string pdf)
        => (await Run("pdfimages", "-list", pdf)).Split('\n').Skip(2).Where(l => l.Trim().Length > 0)
            .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where((_, i) => i is 0 or 2 or 3 or 4 or 5 or 6 or 7 or 8 or 12)))
            .ToList();

    private async Task<string> RenderAsync(string pdf, string name)
    {
        var prefix = Path.Combine(_dir, name);
        await Run("pdftoppm", "-r", "75", "-gray", "-singlefile", pdf, prefix);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(prefix + ".pgm")));
    }

    private static async Task<string> Run(string executable, params string[] arguments)
    {
        var result = await ExternalTool.RunAsync(executable, arguments);
        Assert.True(result.ExitCode is 0 or 3, $"{executable}: {result.Errors}");
        return result.Output;
    }
}
