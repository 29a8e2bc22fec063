using Pipeline.Functions.Digitise;
using Pipeline.Testing;

namespace Pipeline.Functions.Tests;

public sealed class VietnameseTextTests
{
    [Fact]
    public void Icelandic_eth_from_OCR_becomes_Vietnamese_D_with_stroke()
        => Assert.Equal("ĐẢNG CỘNG SẢN đảng", VietnameseText.Normalize("\u00D0ẢNG CỘNG SẢN \u00F0ảng"));

    [Fact]
    public void Decomposed_diacritics_are_composed()
        => Assert.Equal("Nghị quyết", VietnameseText.Normalize("Nghi\u0323 quyê\u0301t"));

    [Theory]
    [InlineData("Nghị quyết 57-NQ/TW", "nghi quyet 57-nq/tw")]
    [InlineData("ĐẢNG CỘNG SẢN  VIỆT\nNAM", "dang cong san viet nam")]
    [InlineData("Nghi\u0323 quyê\u0301t", "nghi quyet")]
    [InlineData("\u00D0ảng ủy", "dang uy")]
    public void Search_folds_case_diacritics_and_spacing(string text, string folded)
        => Assert.Equal(folded, VietnameseText.Fold(text));
}

public sealed class TesseractTsvTests
{
    private const string Tsv =
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n" +
        "1\t1\t0\t0\t0\t0\t0\t0\t1654\t2338\t-1\t\n" +
        "4\t1\t1\t1\t1\t0\t297\t154\t1245\t41\t-1\t\n" +
        "5\t1\t1\t1\t1\t1\t297\t154\t93\t30\t88.871544\t\u00D0ẢNG\n" +
        "5\t1\t1\t1\t1\t2\t401\t155\t44\t34\t93.287537\tBỘ\n" +
        "5\t1\t1\t1\t2\t1\t300\t200\t60\t30\t50\tTỈNH\n" +
        "5\t1\t2\t1\t1\t1\t900\t400\t80\t30\t96.5\tSố:\n" +
        "5\t1\t2\t1\t1\t2\t990\t400\t80\t30\t95\t \n";

    [Fact]
    public void Words_keep_their_boxes_and_confidences_and_the_text_keeps_lines_and_blocks()
    {
        var page = TesseractTsv.Parse(Tsv);

        Assert.Equal((1654, 2338), (page.Width, page.Height));
        Assert.Equal(["ĐẢNG", "BỘ", "TỈNH", "Số:"], page.Words.Select(w => w.Text));
        Assert.Equal(new OcrWord("ĐẢNG", 297, 154, 93, 30, 0.88871544, 1, 1, 1), page.Words[0]);
        Assert.Equal(0.5, page.Words[2].Confidence);
        Assert.Equal("ĐẢNG BỘ\nTỈNH\n\nSố:", page.Text);
    }
}

public sealed class TesseractOcrEngineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-ocr-").FullName;

    public void Dispose() => PipelineApp.DeleteDirectory(_dir);

    [CorpusFact]
    public async Task Reads_the_Party_heading_of_a_real_scan_with_word_boxes_and_writes_its_invisible_text_layer()
    {
        var scan = RepoPaths.CorpusPath("vn-official", "doc000", "scan.pdf");
        // The page as the scanner made it: 200 dpi greyscale (pdfimages -list shows the native resolution).
        var image = await Poppler.RenderPageForOcrAsync(scan, 1, 200, _dir);
        var layer = Path.Combine(_dir, "text-1.pdf");

        var page = await new TesseractOcrEngine().RecognizeAsync(new OcrRequest(image, 200, "vie+eng", layer));

        Assert.Contains("ĐẢNG CỘNG SẢN VIỆT NAM", page.Text);
        Assert.Equal((1654, 2338), (page.Width, page.Height));
        Assert.All(page.Words, w =>
        {
            Assert.InRange(w.Confidence, 0, 1);
            Assert.InRange(w.Left + w.Width, 1, page.Width);
            Assert.InRange(w.Top + w.Height, 1, page.Height);
        });
        var heading = page.Words.First(w => w.Text == "CỘNG");
        Assert.True(heading.Left > page.Width / 2, "the Party heading is printed top right");
        Assert.True(heading.Top < page.Height / 8);

        // The text layer: one A4 page (1654 × 2338 px at 200 dpi = 595.44 × 841.68 pt), text only, no image.
        var layerInfo = await Poppler.AnalyseAsync(layer);
        var only = Assert.Single(layerInfo.PageInfo);
        Assert.Equal((595.44, 841.68), (only.WidthPt, only.HeightPt));
        Assert.True(only.HasText);
        Assert.Equal(0, only.LargestImagePixels);
        Assert.Contains("ĐẢNG CỘNG SẢN VIỆT NAM", Pipeline.Functions.Tests.Documents.DocumentsHttp.Run("pdftotext", "-f", "1", "-l", "1", "-enc", "UTF-8", layer, "-"));
        Assert.Empty(Directory.GetFiles(_dir, ".ocr-*"));
    }

    [Fact]
    public async Task A_file_that_is_not_an_image_fails_with_a_clear_error()
    {
        var notAnImage = Path.Combine(_dir, "empty.png");
        await File.WriteAllTextAsync(notAnImage, "not an image");

        var error = await Assert.ThrowsAsync<OcrFailedException>(() =>
            new TesseractOcrEngine().RecognizeAsync(new OcrRequest(notAnImage, 300, "vie+eng", Path.Combine(_dir, "t.pdf"))));
        Assert.Contains("could not read the page", error.Message);
        Assert.Empty(Directory.GetFiles(_dir, "*.pdf", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Language_lists_that_are_not_plain_codes_are_refused()
        => await Assert.ThrowsAsync<ArgumentException>(() =>
            new TesseractOcrEngine().RecognizeAsync(new OcrRequest("x.png", 300, "vie;rm -rf /", null)));

    [Fact]
    public async Task A_resolution_tesseract_would_ignore_is_refused_rather_than_giving_a_wrong_page_size()
        => await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            new TesseractOcrEngine().RecognizeAsync(new OcrRequest("x.png", 30, "vie", null)));

    [Theory]
    [InlineData(1, false)]
    [InlineData(4, true)]
    public async Task No_more_tesseract_processes_run_at_once_than_the_engine_allows(int maxParallel, bool overlapExpected)
    {
        // A stand-in for tesseract that notes when another copy is already running (mkdir is atomic).
        var fake = Path.Combine(_dir, "fake-tesseract");
        await File.WriteAllTextAsync(fake, $"""
            #!/bin/sh
            mkdir "{_dir}/running" 2>/dev/null || touch "{_dir}/overlapped"
            sleep 0.2
            rmdir "{_dir}/running" 2>/dev/null
            printf 'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n'
            """.ReplaceLineEndings("\n"));
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var engine = new TesseractOcrEngine(fake, maxParallel);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => engine.RecognizeAsync(new OcrRequest("x.pgm", 300, "vie", null)))));

        Assert.Equal(overlapExpected, File.Exists(Path.Combine(_dir, "overlapped")));
    }
}
