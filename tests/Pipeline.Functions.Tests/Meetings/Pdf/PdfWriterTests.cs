using System.Text;
using System.Text.Json;
using Pipeline.Functions.Meetings.Pdf;

namespace Pipeline.Functions.Tests.Meetings.Pdf;

public sealed class PdfWriterTests : IDisposable
{
    private const string Motto = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
    private const string Slogan = "Độc lập - Tự do - Hạnh phúc";
    private const string Resolution = "Nghị quyết số 57-NQ/TW về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo";

    private readonly PdfTools _tools = new();

    public void Dispose() => _tools.Dispose();

    private static string Nfc(string text) => text.Normalize(NormalizationForm.FormC);

    private static string[] Lines(string extracted)
        => extracted.Split('\n').Select(l => l.Trim('\f', ' ')).Where(l => l.Length > 0).ToArray();

    [Fact]
    public async Task Vietnamese_text_in_regular_bold_and_italic_comes_back_exactly()
    {
        var pdf = _tools.Write("motto.pdf", writer =>
        {
            var page = writer.AddPage();
            page.TextCentered(page.Width / 2, 780, Motto, PdfFontStyle.Bold, 13);
            page.TextCentered(page.Width / 2, 762, Slogan, PdfFontStyle.Bold, 14);
            page.Text(72, 700, Resolution, PdfFontStyle.Regular, 12);
            page.Text(72, 670, Motto, PdfFontStyle.Regular, 12);
            page.Text(72, 640, Resolution, PdfFontStyle.Bold, 11);
            page.Text(72, 610, Slogan, PdfFontStyle.Italic, 12);
        });

        var lines = Lines(await PdfTools.Text(pdf));

        Assert.Equal([Motto, Slogan, Resolution, Motto, Resolution, Slogan], lines.Select(Nfc));
        Assert.All(lines, l => Assert.True(l.IsNormalized(NormalizationForm.FormC), l));
    }

    [Fact]
    public async Task Decomposed_input_is_drawn_and_extracted_as_nfc()
    {
        var pdf = _tools.Write("nfd.pdf", writer => writer.AddPage().Text(72, 700, Resolution.Normalize(NormalizationForm.FormD), PdfFontStyle.Regular, 12));

        Assert.Equal([Resolution], Lines(await PdfTools.Text(pdf)));
    }

    [Fact]
    public async Task Fonts_are_embedded_as_subsets_with_a_unicode_map_and_the_file_is_valid()
    {
        var pdf = _tools.Write("fonts.pdf", writer =>
        {
            var page = writer.AddPage();
            page.Text(72, 760, Motto, PdfFontStyle.Bold, 13);
            page.Text(72, 740, Resolution, PdfFontStyle.Regular, 12);
            page.Text(72, 720, Slogan, PdfFontStyle.Italic, 12);
        });

        // name  type  encoding  emb sub uni  object ID
        var fonts = (await PdfTools.Run("pdffonts", pdf)).Split('\n').Skip(2).Where(l => l.Length > 0).ToList();
        Assert.Equal(3, fonts.Count);
        Assert.All(fonts, f =>
        {
            Assert.Matches(@"^[A-Z]{6}\+DejaVuSerif(-Bold|-Italic)?\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes\s", f);
        });
        Assert.Contains("No syntax or stream encoding errors found", await PdfTools.Run("qpdf", "--check", pdf));
    }

    [Fact]
    public async Task Pages_have_the_sizes_asked_for_and_an_unused_face_is_not_embedded()
    {
        var pdf = _tools.Write("sizes.pdf", writer =>
        {
            writer.Title = "Tài liệu họp";
            writer.AddPage().Text(72, 700, "Trang một", PdfFontStyle.Regular, 12);
            writer.AddPage(PdfWriter.A4Height, PdfWriter.A4Width).Text(72, 500, "Trang hai, khổ ngang", PdfFontStyle.Regular, 12);
            writer.AddPage();
            Assert.Equal(3, writer.PageCount);
        });

        var info = await PdfTools.Info(pdf, "-f", "1", "-l", "3");
        Assert.Equal("3", info["Pages"]);
        Assert.Equal("Tài liệu họp", info["Title"]);
        Assert.Equal("595.28 x 841.89 pts (A4)", info["Page    1 size"]);
        Assert.StartsWith("841.89 x 595.28 pts", info["Page    2 size"]);
        Assert.Equal("595.28 x 841.89 pts (A4)", info["Page    3 size"]);
        Assert.Single((await PdfTools.Run("pdffonts", pdf)).Split('\n').Skip(2), l => l.Length > 0); // only the regular face was drawn with
        Assert.Contains("No syntax or stream encoding errors found", await PdfTools.Run("qpdf", "--check", pdf));
    }

    [Fact]
    public async Task Bookmarks_open_their_pages_and_nest_under_the_previous_top_level_one()
    {
        var pdf = _tools.Write("bookmarks.pdf", writer =>
        {
            writer.AddBookmark("Chương trình họp", 0);
            writer.AddBookmark("1. Báo cáo tình hình kinh tế - xã hội", 1);
            writer.AddBookmark("1.1 Tờ trình số 12/TTr-UBND", 2, level: 1);
            writer.AddBookmark("1.2 Dự thảo Nghị quyết", 3, level: 1);
            writer.AddBookmark("2. Đổi mới sáng tạo", 4);
            for (var i = 0; i < 5; i++) writer.AddPage().Text(72, 700, $"Trang {i + 1}", PdfFontStyle.Regular, 12);
        });

        using var json = JsonDocument.Parse(await PdfTools.Run("qpdf", "--json", "--json-key=outlines", pdf));
        var outlines = json.RootElement.GetProperty("outlines");
        static (string, int, int) Entry(JsonElement e)
            => (e.GetProperty("title").GetString()!, e.GetProperty("destpageposfrom1").GetInt32(), e.GetProperty("kids").GetArrayLength());
        Assert.Equal([("Chương trình họp", 1, 0), ("1. Báo cáo tình hình kinh tế - xã hội", 2, 2), ("2. Đổi mới sáng tạo", 5, 0)],
            outlines.EnumerateArray().Select(Entry));
        Assert.Equal([("1.1 Tờ trình số 12/TTr-UBND", 3, 0), ("1.2 Dự thảo Nghị quyết", 4, 0)],
            outlines[1].GetProperty("kids").EnumerateArray().Select(Entry));
        Assert.Contains("No syntax or stream encoding errors found", await PdfTools.Run("qpdf", "--check", pdf));
    }

    [Fact]
    public void A_bookmark_needs_a_parent_and_a_page()
    {
        using var writer = new PdfWriter(new MemoryStream());
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.AddBookmark("Mục con", 0, level: 1));
        writer.AddPage();
        writer.AddBookmark("Trang không có", 3);
        Assert.Throws<InvalidOperationException>(writer.Finish);
    }

    [Fact]
    public void The_same_input_gives_byte_identical_output()
    {
        static void Draw(PdfWriter writer)
        {
            writer.AddBookmark("Biên bản", 0);
            var page = writer.AddPage();
            page.TextCentered(page.Width / 2, 780, Motto, PdfFontStyle.Bold, 13);
            page.Paragraph(72, 740, 450, Resolution + " " + Resolution, PdfFontStyle.Regular, 12, 16);
            page.Rectangle(72, 500, 200, 40, fillGray: 0.9);
            writer.AddPage().Text(72, 700, Slogan, PdfFontStyle.Italic, 12);
        }

        var first = PdfTools.Bytes(Draw);
        var second = PdfTools.Bytes(Draw);

        Assert.Equal(first, second);
        Assert.DoesNotContain("CreationDate", Encoding.Latin1.GetString(first));
    }

    [Fact]
    public async Task A_one_page_document_with_a_few_lines_is_small()
    {
        var pdf = _tools.Write("small.pdf", writer =>
        {
            var page = writer.AddPage();
            page.TextCentered(page.Width / 2, 780, Motto, PdfFontStyle.Bold, 13);
            page.TextCentered(page.Width / 2, 762, Slogan, PdfFontStyle.Bold, 14);
            page.Paragraph(72, 720, 450, Resolution, PdfFontStyle.Regular, 13, 18);
            page.Text(72, 600, "Hà Nội, ngày 22 tháng 12 năm 2024", PdfFontStyle.Italic, 13);
        });

        var size = new FileInfo(pdf).Length;
        Assert.True(size < 100_000, $"{size} bytes");
    }

    [Fact]
    public async Task A_long_paragraph_wraps_within_its_column()
    {
        const double X = 80, Width = 300;
        var text = string.Join(' ', Enumerable.Repeat(Resolution, 6)) + " Siêudàikhôngcókhoảngtrắngđểngắtdòngchútnàocảnênphảibẻgiữachừng";
        double bottom = 0;
        var pdf = _tools.Write("wrap.pdf", writer => bottom = writer.AddPage().Paragraph(X, 760, Width, text, PdfFontStyle.Regular, 12, 15));

        var words = await PdfTools.Words(pdf);

        Assert.All(words, w => Assert.InRange(w.XMax, X, X + Width + 0.01));
        Assert.All(words, w => Assert.InRange(w.XMin, X - 0.01, X + Width));
        var lines = words.Select(w => Math.Round(w.YMin)).Distinct().Count();
        Assert.True(lines >= 8, $"{lines} lines");
        Assert.Equal(760 - lines * 15, bottom, 6);
        Assert.Equal(text.Replace(" ", ""), string.Concat(words.Select(w => w.Text)));
    }

    [Fact]
    public void Wrapping_honours_line_breaks_and_breaks_words_wider_than_the_column()
    {
        var fonts = PdfFonts.Default;

        var lines = PdfPageCanvas.WrapLines(fonts, "Kết luận:\r\n\nĐồng ý  thông qua", PdfFontStyle.Regular, 12, 1000);
        Assert.Equal(["Kết luận:", "", "Đồng ý thông qua"], lines);

        var column = fonts.Width("quyết", PdfFontStyle.Regular, 12);
        Assert.True(fonts.Width("Nghịq", PdfFontStyle.Regular, 12) > column);
        Assert.Equal(["Nghị", "quyết"], PdfPageCanvas.WrapLines(fonts, "Nghịquyết", PdfFontStyle.Regular, 12, column));
        Assert.Empty(PdfPageCanvas.WrapLines(fonts, "", PdfFontStyle.Regular, 12, 100));
        Assert.Equal(["N", "g"], PdfPageCanvas.WrapLines(fonts, "Ng", PdfFontStyle.Regular, 12, 1)); // narrower than a letter: still progresses
    }

    [Fact]
    public void A_paragraph_lower_than_the_page_still_reports_where_it_ended()
    {
        using var writer = new PdfWriter(new MemoryStream());
        var page = writer.AddPage();

        var y = page.Paragraph(72, 40, 100, Resolution, PdfFontStyle.Regular, 12, 15);

        Assert.True(y < 0);
        Assert.Equal(40 - 15 * PdfPageCanvas.WrapLines(writer.Fonts, Resolution, PdfFontStyle.Regular, 12, 100).Count, y, 6);
    }

    [Fact]
    public async Task A_character_the_font_lacks_becomes_a_question_mark()
    {
        var fonts = PdfFonts.Default;
        Assert.False(fonts.Covers(0x1F600, PdfFontStyle.Regular));
        Assert.False(fonts.Covers('中', PdfFontStyle.Bold));
        var pdf = _tools.Write("missing.pdf", writer =>
        {
            var page = writer.AddPage();
            page.Text(72, 700, "Họp 😀 xong 中", PdfFontStyle.Regular, 12);
            page.Text(72, 680, "Tab\there, bell\a", PdfFontStyle.Bold, 12);
        });

        Assert.Equal(["Họp ? xong ?", "Tab here, bell"], Lines(await PdfTools.Text(pdf)));
        Assert.Equal(fonts.Width("Họp ? xong ?", PdfFontStyle.Regular, 12), fonts.Width("Họp 😀 xong 中", PdfFontStyle.Regular, 12));
    }

    [Fact]
    public async Task Rotated_text_is_drawn_and_extractable()
    {
        const string Watermark = "Nguyễn Thị Hồng Nhung - bản 3";
        var pdf = _tools.Write("rotated.pdf", writer =>
        {
            var page = writer.AddPage();
            page.Opacity = 0.25;
            page.Text(100, 200, Watermark, PdfFontStyle.Bold, 30, gray: 0.5, angleDegrees: 45);
            writer.AddPage().Text(300, 100, Watermark, PdfFontStyle.Regular, 20, angleDegrees: 90);
        });

        // poppler reads diagonal text one character at a time (each sits off the previous one's baseline), so
        // only its raw, content-stream order gives the characters back in sequence, without the spaces.
        var diagonal = await PdfTools.Text(pdf, "-raw", "-f", "1", "-l", "1");
        Assert.Equal(Watermark.Replace(" ", ""), string.Concat(Lines(diagonal)));
        // …and every character lies along the 45° line from (100, 200) (pdftotext's y runs down from the top).
        var characters = await PdfTools.Words(pdf, "-f", "1", "-l", "1");
        Assert.Equal(Watermark.Replace(" ", "").Length, characters.Sum(c => c.Text.Length));
        Assert.All(characters, c => Assert.InRange(PdfWriter.A4Height - (c.YMin + c.YMax) / 2 - 200 - ((c.XMin + c.XMax) / 2 - 100), 0, 30));
        Assert.Equal([Watermark], Lines(await PdfTools.Text(pdf, "-f", "2", "-l", "2")));
        Assert.Contains("No syntax or stream encoding errors found", await PdfTools.Run("qpdf", "--check", pdf));
    }

    [Fact]
    public async Task A_stamp_overlay_lays_page_numbers_over_document_pages_with_qpdf()
    {
        var document = _tools.Write("document.pdf", writer =>
        {
            for (var i = 1; i <= 3; i++) writer.AddPage().Text(72, 700, $"Nội dung trang {i}", PdfFontStyle.Regular, 12);
        });
        var overlay = _tools.Write("overlay.pdf", writer =>
        {
            for (var i = 1; i <= 3; i++)
            {
                var page = writer.AddPage();
                page.TextCentered(page.Width / 2, 20, $"2.{i}", PdfFontStyle.Regular, 10);
                page.Opacity = 0.2;
                page.Text(120, 200, "Trần Văn Bình - bản 2", PdfFontStyle.Bold, 40, gray: 0.6, angleDegrees: 45);
            }
        });
        var stamped = Path.Combine(_tools.Directory, "stamped.pdf");

        await PdfTools.Run("qpdf", document, "--overlay", overlay, "--", stamped);

        var page2 = Lines(await PdfTools.Text(stamped, "-raw", "-f", "2", "-l", "2"));
        Assert.Contains("Nội dung trang 2", page2);
        Assert.Contains("2.2", page2);
        Assert.Contains("TrầnVănBình-bản2", string.Concat(page2));
        Assert.Equal("3", (await PdfTools.Info(stamped))["Pages"]);
    }

    [Fact]
    public async Task Pages_are_written_to_the_output_as_they_are_finished()
    {
        using var output = new MemoryStream();
        var lengths = new List<long>();
        using (var writer = new PdfWriter(output))
        {
            for (var i = 0; i < 200; i++)
            {
                var page = writer.AddPage();
                lengths.Add(output.Length); // everything before this page is out already
                page.TextCentered(page.Width / 2, 800, $"BIÊN BẢN HỌP - trang {i + 1}", PdfFontStyle.Bold, 13);
                var y = 780.0;
                for (var p = 0; p < 4; p++) y = page.Paragraph(72, y, 450, Resolution + " " + Motto + " " + Slogan, PdfFontStyle.Regular, 12, 16) - 8;
                page.TextRight(page.Width - 72, 30, $"{i + 1}/200", PdfFontStyle.Italic, 10);
            }
            var beforeFinish = output.Length;
            writer.Finish();
            Assert.True(output.Length - beforeFinish < 60_000, $"Finish wrote {output.Length - beforeFinish} bytes"); // fonts, page tree, xref
        }

        Assert.All(lengths.Zip(lengths.Skip(1)), p => Assert.True(p.Second > p.First, "a page was held back instead of written"));
        var pdf = Path.Combine(_tools.Directory, "minutes.pdf");
        await File.WriteAllBytesAsync(pdf, output.ToArray());
        Assert.Equal("200", (await PdfTools.Info(pdf))["Pages"]);
        Assert.Contains("No syntax or stream encoding errors found", await PdfTools.Run("qpdf", "--check", pdf));
        Assert.Contains("BIÊN BẢN HỌP - trang 137", await PdfTools.Text(pdf, "-f", "137", "-l", "137"));
    }

    [Fact]
    public void Drawing_on_a_page_already_written_is_refused()
    {
        using var writer = new PdfWriter(new MemoryStream());
        var first = writer.AddPage();
        writer.AddPage();

        Assert.Throws<InvalidOperationException>(() => first.Text(72, 700, "muộn", PdfFontStyle.Regular, 12));
    }

    [Fact]
    public void A_missing_font_file_names_the_file_and_the_package_to_install()
    {
        const string Missing = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Missing.ttf";

        var error = Assert.Throws<InvalidOperationException>(() => PdfFonts.Load(Missing, Missing, Missing));

        Assert.Contains(Missing, error.Message);
        Assert.Contains("fonts-dejavu-core", error.Message);
    }
}
