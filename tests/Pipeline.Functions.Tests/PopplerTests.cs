using System.Buffers.Binary;
using Pipeline.Functions.Digitise;
using Pipeline.Testing;

namespace Pipeline.Functions.Tests;

public sealed class PopplerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-poppler-").FullName;

    public void Dispose() => PipelineApp.DeleteDirectory(_dir);

    private static string Official(string doc) => RepoPaths.CorpusPath("vn-official", doc, "scan.pdf");
    private static string Resource(string name) => RepoPaths.CorpusPath("ocrmypdf-resources", name);

    [CorpusFact]
    public async Task A_scanned_official_document_has_its_pages_at_the_scanner_resolution_and_no_text_layer()
    {
        var analysis = await Poppler.AnalyseAsync(Official("doc000"));

        Assert.Equal((2, false), (analysis.Pages, analysis.Encrypted));
        Assert.Equal([200, 200], analysis.PageInfo.Select(p => p.NativeDpi));
        Assert.All(analysis.PageInfo, p => Assert.False(p.HasText));
    }

    [CorpusFact]
    public async Task Pages_scanned_at_different_resolutions_each_keep_their_own()
    {
        var dpi = (await Poppler.AnalyseAsync(Resource("multipage.pdf"))).PageInfo.Select(p => p.NativeDpi).ToList();

        Assert.Equal(150, dpi[0]);
        Assert.Equal(300, dpi[1]);
        Assert.Equal(96, dpi[2]);
    }

    [CorpusFact]
    public async Task A_page_that_already_has_text_is_recognised_as_such()
        => Assert.True((await Poppler.AnalyseAsync(Resource("graph_ocred.pdf"))).PageInfo[0].HasText);

    [CorpusFact]
    public async Task A_damaged_pdf_gets_a_message_a_clerk_can_act_on()
    {
        var error = await Assert.ThrowsAsync<UnreadablePdfException>(() => Poppler.AnalyseAsync(Resource("invalid.pdf")));

        Assert.False(error.Encrypted);
        Assert.Contains("damaged", error.Message);
    }

    [CorpusFact]
    public async Task A_page_rendered_at_its_native_resolution_has_the_scanner_pixel_size()
    {
        var png = await Poppler.RenderPageAsync(Official("doc000"), 1, 200, _dir);

        var header = new byte[24];
        await using (var file = File.OpenRead(png)) await file.ReadExactlyAsync(header);
        Assert.Equal(1654, BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(16)));
        Assert.Equal(2338, BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(20)));
    }

    [CorpusFact]
    public async Task Analysis_of_a_scan_gives_each_page_its_size_scanner_resolution_and_no_text_layer()
    {
        var analysis = await Poppler.AnalyseAsync(Official("doc000"));

        Assert.Equal(2, analysis.Pages);
        Assert.False(analysis.Encrypted);
        Assert.Equal([1, 2], analysis.PageInfo.Select(p => p.Number));
        Assert.All(analysis.PageInfo, p =>
        {
            Assert.Equal((595.44, 841.68), (p.WidthPt, p.HeightPt));
            Assert.Equal(200, p.NativeDpi);
            Assert.Equal(1654L * 2338, p.LargestImagePixels);
            Assert.False(p.HasText);
        });
    }

    [CorpusFact]
    public async Task Analysis_keeps_each_page_resolution_and_shows_a_turned_page_as_it_is_displayed()
    {
        var multipage = await Poppler.AnalyseAsync(Resource("multipage.pdf"));
        var turned = await Poppler.AnalyseAsync(Resource("rotated_skew.pdf"));

        Assert.Equal([150, 300, 96], multipage.PageInfo.Take(3).Select(p => p.NativeDpi));
        Assert.Equal(9000L * 9000, multipage.PageInfo[1].LargestImagePixels);
        // Stored 792 × 612 pt and turned a quarter (/Rotate 90): shown, and rendered, upright.
        Assert.Equal((612.0, 792.0), (turned.PageInfo[0].WidthPt, turned.PageInfo[0].HeightPt));
    }

    [CorpusFact]
    public async Task A_decompression_bomb_is_measured_without_being_decoded()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var analysis = await Poppler.AnalyseAsync(Resource("hugemono.pdf"));

        Assert.Equal(35000L * 35000, analysis.PageInfo[0].LargestImagePixels);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"analysis took {clock.Elapsed}");
    }

    [CorpusFact]
    public async Task A_page_that_already_has_text_gives_its_words_in_pixels_of_the_page_image()
    {
        var analysis = await Poppler.AnalyseAsync(Resource("graph_ocred.pdf"));
        Assert.True(analysis.PageInfo[0].HasText);
        var (widthPt, heightPt) = (analysis.PageInfo[0].WidthPt, analysis.PageInfo[0].HeightPt);

        var page = await Poppler.PageWordsAsync(Resource("graph_ocred.pdf"), 1, 144);

        // 144 dpi is two pixels per point; the page is what pdftoppm renders at 144 dpi.
        Assert.Equal(((int)Math.Ceiling(widthPt * 2), (int)Math.Ceiling(heightPt * 2)), (page.Width, page.Height));
        Assert.NotEmpty(page.Words);
        Assert.All(page.Words, w =>
        {
            Assert.Equal(1.0, w.Confidence);
            Assert.InRange(w.Left, 0, page.Width - 1);
            Assert.InRange(w.Top + w.Height, 1, page.Height);
        });
        Assert.Contains("support", page.Text);
        Assert.Equal(page.Words.Select(w => w.Text), page.Text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Words_of_a_text_layer_keep_vietnamese_letters_and_break_text_where_the_layout_does()
    {
        const string xhtml = """
            <!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd"><html xmlns="http://www.w3.org/1999/xhtml">
            <body><doc><page width="595.44" height="841.68">
              <flow><block xMin="0" yMin="0" xMax="100" yMax="40">
                <line xMin="0" yMin="0" xMax="100" yMax="20"><word xMin="10" yMin="10" xMax="46" yMax="22">&#208;ẢNG</word><word xMin="50" yMin="10" xMax="70" yMax="22">BỘ</word></line>
                <line xMin="0" yMin="20" xMax="100" yMax="40"><word xMin="10" yMin="25" xMax="40" yMax="37">Nghi&#803;</word></line>
              </block>
              <block xMin="0" yMin="50" xMax="100" yMax="70"><line xMin="0" yMin="50" xMax="100" yMax="70"><word xMin="10" yMin="50" xMax="40" yMax="62">Số:</word></line></block></flow>
            </page></doc></body></html>
            """;

        var page = Poppler.ParseBboxLayout(xhtml, 200);

        Assert.Equal((1654, 2338), (page.Width, page.Height));
        Assert.Equal("ĐẢNG BỘ\nNghị\n\nSố:", page.Text);
        Assert.Equal(new OcrWord("ĐẢNG", 27, 27, 101, 35, 1.0, 1, 1, 1), page.Words[0]);
    }

    [CorpusFact]
    public async Task A_damaged_pdf_is_refused_by_analysis_with_a_message_a_clerk_can_act_on()
    {
        var error = await Assert.ThrowsAsync<UnreadablePdfException>(() => Poppler.AnalyseAsync(Resource("invalid.pdf")));

        Assert.False(error.Encrypted);
        Assert.Contains("damaged", error.Message);
    }

    [CorpusFact]
    public async Task A_password_protected_pdf_asks_for_an_unprotected_copy_but_an_owner_restricted_one_is_read()
    {
        var locked = Path.Combine(_dir, "locked.pdf");
        var restricted = Path.Combine(_dir, "restricted.pdf");
        await Tool("qpdf", "--encrypt", "user-secret", "owner-secret", "256", "--", Official("doc000"), locked);
        await Tool("qpdf", "--encrypt", "", "owner-secret", "256", "--print=none", "--", Official("doc000"), restricted);

        var error = await Assert.ThrowsAsync<UnreadablePdfException>(() => Poppler.AnalyseAsync(locked));
        var analysis = await Poppler.AnalyseAsync(restricted);

        Assert.True(error.Encrypted);
        Assert.Contains("password", error.Message);
        Assert.True(analysis.Encrypted);
        Assert.Equal(2, analysis.Pages);
    }

    [CorpusFact]
    public async Task A_page_rendered_for_ocr_is_greyscale_at_the_scanner_pixel_size()
    {
        var pgm = await Poppler.RenderPageForOcrAsync(Official("doc000"), 2, 200, _dir);

        using var reader = new StreamReader(pgm);
        Assert.Equal("P5", reader.ReadLine()); // binary 8-bit greyscale
        Assert.Equal("1654 2338", reader.ReadLine());
    }

    private static async Task Tool(string executable, params string[] arguments)
    {
        var result = await ExternalTool.RunAsync(executable, arguments);
        Assert.True(result.ExitCode == 0, result.Errors);
    }
}
