using Pipeline.Functions.Meetings;
using static Pipeline.Functions.Tests.Meetings.Pack.PackFixtures;

namespace Pipeline.Functions.Tests.Meetings.Pack;

public sealed class MeetingPackTests : IDisposable
{
    private const double A4W = 595.28, A4H = 841.89;
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-pack-").FullName;

    public void Dispose() => PipelineApp.DeleteDirectory(_dir);

    private string In(string name) => Path.Combine(_dir, name);

    /// <summary>Three items: a real archive PDF (scan + OCR text) and a text PDF; a 3-page text PDF; a landscape page
    /// and a page turned by /Rotate.</summary>
    private async Task<PackPlan> PlanAsync()
    {
        var ocr = await OcrDocumentAsync(Scan("doc002"), _dir, "ocr");
        var report = TextDocument(In("report.pdf"), A4W, A4H,
            "Báo cáo tình hình thực hiện nhiệm vụ năm 2026 của Đảng ủy xã Diễn Châu.",
            "Phương hướng, nhiệm vụ trọng tâm năm 2027: chuyển đổi số, cải cách hành chính.");
        var submission = TextDocument(In("submission.pdf"), A4W, A4H,
            "Tờ trình số 12/TTr-VP về việc điều chỉnh dự toán ngân sách.", "Căn cứ Luật Ngân sách nhà nước năm 2015.",
            "Kính trình Ban Thường vụ xem xét, quyết định.");
        var table = TextDocument(In("table.pdf"), A4H, A4W, "Bảng tổng hợp kết quả kiểm tra (khổ ngang).");
        var portrait = TextDocument(In("portrait.pdf"), A4W, A4H, "Phụ lục xoay ngang bằng thuộc tính /Rotate.");
        var turned = In("turned.pdf");
        await ToolAsync("qpdf", portrait, "--rotate=+90", "--", turned);
        return new PackPlan("Hội nghị Ban Thường vụ Đảng ủy tháng 12 năm 2026", new DateTimeOffset(2026, 12, 15, 1, 0, 0, TimeSpan.Zero),
            "Phòng họp tầng 2, trụ sở Đảng ủy", "Đồng chí Bí thư Đảng ủy", 3,
        [
            new PackItem(1, "Báo cáo tình hình thực hiện nhiệm vụ năm 2026", "Đồng chí Trần Thị Bình, Chánh Văn phòng",
                [new PackDocument("Quyết định của Đảng ủy xã (bản quét)", ocr, 1), new PackDocument("Báo cáo số 45-BC/ĐU", report, 2)]),
            new PackItem(2, "Điều chỉnh dự toán ngân sách năm 2026", null,
                [new PackDocument("Tờ trình số 12/TTr-VP — Về việc điều chỉnh dự toán", submission, 3)]),
            new PackItem(3, "Kết quả kiểm tra việc thực hiện quy chế làm việc", "Ủy ban Kiểm tra",
                [new PackDocument("Bảng tổng hợp", table, 1), new PackDocument("Phụ lục", turned, 1)], Note: "Để biết"),
        ]);
    }

    [CorpusFact]
    public async Task The_pack_binds_cover_dividers_and_every_document_page_with_bookmarks_labels_and_selectable_text()
    {
        var plan = await PlanAsync();
        var pack = In("pack.pdf");

        var layout = await MeetingPackBuilder.BuildAsync(plan, pack, null, In("work"), CancellationToken.None);

        var documentPages = plan.Items.Sum(i => i.Documents.Sum(d => d.Pages));
        Assert.Equal(layout.FrontPages + 3 + documentPages, await PageCountAsync(pack));
        Assert.Equal(layout.FrontPages + 3 + documentPages, layout.TotalPages);
        Assert.Equal(1, layout.FrontPages);
        Assert.Equal([(1, 2, 3, 5), (2, 6, 7, 9), (3, 10, 11, 12)], layout.Items.Select(i => (i.Number, i.DividerPage, i.FirstPage, i.LastPage)));

        // Bookmarks: the agenda, then each item opening its divider.
        Assert.Equal(
            [("Chương trình", 1), .. plan.Items.Select((item, i) => ($"{item.Number}. {item.Title}", layout.Items[i].DividerPage))],
            await OutlinesAsync(pack));

        // The cover: Vietnam time, the agenda's titles and where each item starts.
        var pages = await PageTextsAsync(pack);
        var cover = string.Join(' ', Words(pages[0]));
        Assert.Contains("08:00 ngày 15/12/2026", cover);
        Assert.Contains("Phiên bản tài liệu: 3", cover);
        foreach (var item in plan.Items) Assert.Contains(item.Title, cover);
        Assert.Contains("trang 2.1", cover);
        Assert.Contains("MỤC 2", pages[layout.Items[1].DividerPage - 1]);

        // Every document page: the source's text, still text, plus only its label.
        foreach (var (item, placed) in plan.Items.Zip(layout.Items))
        {
            var page = placed.FirstPage;
            var inItem = 1;
            foreach (var document in item.Documents)
            {
                var source = await PageTextsAsync(document.PdfPath);
                foreach (var sourceText in source)
                {
                    var label = $"{item.Number}.{inItem++}";
                    var packWords = Words(pages[page - 1]).ToList();
                    Assert.True(packWords.Remove(label), $"page {page} has no label {label}: {pages[page - 1]}");
                    Assert.Equal(Words(sourceText), packWords);
                    page++;
                }
            }
        }
        Assert.Contains("ĐẢNG CỘNG SẢN VIỆT NAM", pages[layout.Items[0].FirstPage - 1]); // the OCR'd scan's text layer

        // The label sits in the bottom-right corner of the page as shown: A4, landscape, and portrait turned by /Rotate
        // (pdftotext gives word boxes as shown, but the page size unturned, so the shown size is spelled out here).
        foreach (var (page, label, width, height) in new[] { (7, "2.1", A4W, A4H), (11, "3.1", A4H, A4W), (12, "3.2", A4H, A4W) })
        {
            var word = (await WordBoxesAsync(pack, page)).Single(w => w.Text == label);
            Assert.InRange(word.XMax, width - 30, width - 10);
            Assert.InRange(word.YMax, height - 20, height - 5);
        }

        // Deterministic: built again elsewhere, byte for byte the same.
        var again = In("again.pdf");
        await MeetingPackBuilder.BuildAsync(plan, again, null, In("work2"), CancellationToken.None);
        Assert.Equal(await File.ReadAllBytesAsync(pack), await File.ReadAllBytesAsync(again));
    }

    [CorpusFact]
    public async Task A_participants_copy_carries_their_name_on_every_page_and_the_master_copy_on_none()
    {
        var plan = await PlanAsync();
        string master = In("master.pdf"), copy = In("copy.pdf");
        await MeetingPackBuilder.BuildAsync(plan, master, null, In("work"), CancellationToken.None);

        var layout = await MeetingPackBuilder.BuildAsync(plan, copy, "Nguyễn Văn An — bản 3", In("work"), CancellationToken.None);

        // The diagonal text comes out in content order with -raw, its words spaced irregularly: compare without spaces.
        var copyPages = await PageTextsAsync(copy, raw: true);
        Assert.Equal(layout.TotalPages, copyPages.Length);
        Assert.All(copyPages, text => Assert.Contains("NguyễnVănAn—bản3", string.Concat(Words(text))));
        Assert.All(await PageTextsAsync(master, raw: true), text => Assert.DoesNotContain("NguyễnVănAn", string.Concat(Words(text))));
        Assert.Equal(await OutlinesAsync(master), await OutlinesAsync(copy));
        Assert.NotEqual(await File.ReadAllBytesAsync(master), await File.ReadAllBytesAsync(copy));
        Assert.Empty(Directory.GetFileSystemEntries(In("work"))); // scratch files cleaned up
    }

    [Fact]
    public async Task An_item_without_documents_gets_its_divider_and_an_empty_range()
    {
        var minutes = TextDocument(In("minutes.pdf"), A4W, A4H, "Biên bản.");
        var plan = new PackPlan("Họp giao ban", DateTimeOffset.UnixEpoch, null, null, 1,
            [new PackItem(1, "Ý kiến các đồng chí", null, []), new PackItem(2, "Thông qua biên bản", null, [new PackDocument("Biên bản", minutes, 1)])]);
        var pack = In("pack.pdf");

        var layout = await MeetingPackBuilder.BuildAsync(plan, pack, null, In("work"), CancellationToken.None);

        Assert.Equal([(1, 2, 3, 2), (2, 3, 4, 4)], layout.Items.Select(i => (i.Number, i.DividerPage, i.FirstPage, i.LastPage)));
        Assert.Equal(4, await PageCountAsync(pack));
        var pages = await PageTextsAsync(pack);
        Assert.Contains("Không có tài liệu kèm theo.", pages[1]);
        Assert.Contains("07:00 ngày 01/01/1970", pages[0]); // the epoch in Vietnam time
        Assert.Contains("2.1", Words(pages[3])); // item 2's first page, whatever came before
        Assert.Equal([("Chương trình", 1), ("1. Ý kiến các đồng chí", 2), ("2. Thông qua biên bản", 3)], await OutlinesAsync(pack));
    }

    [Fact]
    public async Task A_missing_document_or_a_wrong_page_count_is_refused_clearly_and_leaves_no_pack()
    {
        var document = TextDocument(In("one.pdf"), A4W, A4H, "Một trang.");
        PackPlan Plan(PackDocument d) => new("Họp", DateTimeOffset.UnixEpoch, null, null, 1, [new PackItem(1, "Mục một", null, [d])]);
        var pack = In("pack.pdf");

        await Assert.ThrowsAsync<FileNotFoundException>(() =>
            MeetingPackBuilder.BuildAsync(Plan(new PackDocument("Thiếu", In("missing.pdf"), 1)), pack, null, In("work"), CancellationToken.None));
        var wrong = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            MeetingPackBuilder.BuildAsync(Plan(new PackDocument("Sai số trang", document, 4)), pack, null, In("work"), CancellationToken.None));
        Assert.Contains("Sai số trang", wrong.Message);
        Assert.Contains("1 pages, not the 4", wrong.Message);
        Assert.False(File.Exists(pack));
        Assert.Single(Directory.GetFiles(_dir)); // only one.pdf: no partial output beside the pack
    }
}
