using System.Diagnostics;
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
    public async Task Reads_the_Party_heading_of_a_real_scan_with_word_boxes()
    {
        var scan = Path.Combine(RepoPaths.SharedCorpus, "vn-official", "doc000", "scan.pdf");
        // The page as the scanner made it: 200 dpi greyscale (pdfimages -list shows the native resolution).
        using (var render = Process.Start("pdftoppm", ["-r", "200", "-f", "1", "-l", "1", "-gray", "-png", scan, Path.Combine(_dir, "page")])!)
            await render.WaitForExitAsync();
        var image = Directory.GetFiles(_dir, "page*.png").Single();

        var page = await new TesseractOcrEngine().RecognizeAsync(image, "vie+eng");

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
    }

    [Fact]
    public async Task A_file_that_is_not_an_image_fails_with_a_clear_error()
    {
        var notAnImage = Path.Combine(_dir, "empty.png");
        await File.WriteAllTextAsync(notAnImage, "not an image");

        var error = await Assert.ThrowsAsync<OcrFailedException>(() => new TesseractOcrEngine().RecognizeAsync(notAnImage, "vie+eng"));
        Assert.Contains("could not read the page", error.Message);
    }

    [Fact]
    public async Task Language_lists_that_are_not_plain_codes_are_refused()
        => await Assert.ThrowsAsync<ArgumentException>(() => new TesseractOcrEngine().RecognizeAsync("x.png", "vie;rm -rf /"));
}
