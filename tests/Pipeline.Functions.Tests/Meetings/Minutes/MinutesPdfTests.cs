using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Pipeline.Functions.Meetings;
using Pipeline.Functions.Meetings.Pdf;
using Pipeline.Functions.Tests.Meetings.Pdf;

namespace Pipeline.Functions.Tests.Meetings.Minutes;

public sealed partial class MinutesPdfTests : IDisposable
{
    private const string Title = "Hội nghị Ban Thường vụ Tỉnh ủy tháng 12 năm 2026";
    private const string OpinionConclusion = "Thống nhất thông qua Đề án chuyển đổi số của Văn phòng Tỉnh ủy.";
    private const string NamedConclusion = "Giao Ban Tổ chức hoàn thiện quy chế làm việc nhiệm kỳ mới.";
    private const string SecretConclusion = "Đồng ý giới thiệu nhân sự theo phương án số hai.";
    private const string Comment = "Đề nghị bổ sung lộ trình đào tạo cán bộ cấp xã.";

    // Seven invited, five present. The secret vote's voters are the three listed last; none of them is chair, secretary
    // or presenter, so their names have no reason to appear after the item-3 heading unless the secret vote gives them away.
    private static readonly MeetingParticipant[] People =
    [
        new("an@tinhuy.vn", "Nguyễn Văn An"),
        new("binh@tinhuy.vn", "Trần Thị Bình"),
        new("cuong@tinhuy.vn", "Lê Văn Cường"),
        new("dung@tinhuy.vn", "Phạm Thị Dung"),
        new("giang@tinhuy.vn", "Hoàng Văn Giang"),
        new("hanh@tinhuy.vn", "Vũ Thị Hạnh"),
        new("khoa@tinhuy.vn", null),
    ];

    private static readonly DateTime Start = new(2026, 12, 15, 1, 0, 0, DateTimeKind.Utc); // 08:00 in Hà Nội

    private readonly PdfTools _tools = new();

    public void Dispose() => _tools.Dispose();

    [Fact]
    public async Task Minutes_record_attendance_opinions_votes_and_conclusions_but_not_secret_choices()
    {
        var (pdf, pages) = Write("minutes.pdf", Meeting());

        var text = Flat(await PdfTools.Text(pdf));
        Assert.Contains("BIÊN BẢN CUỘC HỌP", text);
        Assert.Contains(Title, text);
        Assert.Contains("08:00 ngày 15/12/2026", text);
        Assert.Contains("Có mặt: 5/7", text);
        Assert.Contains("Vắng mặt: 2/7", text);
        Assert.Contains("khoa@tinhuy.vn", text); // a participant without a name is listed by address
        foreach (var conclusion in new[] { OpinionConclusion, NamedConclusion, SecretConclusion }) Assert.Contains(conclusion, text);
        Assert.Contains("Chưa có kết luận", text); // item 4 has none

        // Item 1: 7 could see it; 2 agree (one answered twice, the latest counts), 1 disagrees, 1 other, 3 not answered.
        Assert.Contains("Đồng ý: 2, Không đồng ý: 1, Ý kiến khác: 1, Chưa trả lời: 3", text);
        Assert.Contains($"Trần Thị Bình (không đồng ý): {Comment}", text);

        // Item 2, named: who voted what.
        var item2 = Between(text, "2. Kiện toàn", "3. Công tác cán bộ");
        Assert.Contains("Tán thành: 3, Không tán thành: 1, Không biểu quyết: 1", item2);
        Assert.Contains("– Tán thành: Nguyễn Văn An, Trần Thị Bình, Lê Văn Cường.", item2);
        Assert.Contains("– Không tán thành: Phạm Thị Dung.", item2);
        Assert.Contains("– Không biểu quyết: Hoàng Văn Giang.", item2);

        // Item 3, secret and restricted to four: the tally only, no voter named anywhere in it.
        var item3 = Between(text, "3. Công tác cán bộ", "4. Báo cáo");
        Assert.Contains("(nội dung mật — chỉ người được chỉ định)", item3);
        Assert.Contains("bỏ phiếu kín", item3);
        Assert.Contains("Tán thành: 2, Không tán thành: 1, Không biểu quyết: 0 (số người biểu quyết: 3/4)", item3);
        foreach (var voter in new[] { "Phạm Thị Dung", "Hoàng Văn Giang", "Vũ Thị Hạnh", "dung@", "giang@", "hanh@" })
            Assert.DoesNotContain(voter, item3);

        Assert.Contains("THƯ KÝ", text);
        Assert.Contains("CHỦ TRÌ", text);
        Assert.Contains("Trang 1", text);
        Assert.True(pages >= 1);
        Assert.Equal(pages, await Pages(pdf));
    }

    [Fact]
    public async Task Signature_blocks_stand_side_by_side_with_the_secretary_on_the_left()
    {
        var (pdf, _) = Write("signatures.pdf", Meeting());

        var words = await PdfTools.Words(pdf);
        var secretary = words.Last(w => w.Text == "THƯ");
        var chair = words.Last(w => w.Text == "CHỦ" && words.Any(n => n.Text == "TRÌ" && Math.Abs(n.YMin - w.YMin) < 1 && n.XMin > w.XMax));

        Assert.True(Math.Abs(secretary.YMin - chair.YMin) < 1, $"{secretary} vs {chair}");
        Assert.True(secretary.XMax < PdfWriter.A4Width / 2 && chair.XMin > PdfWriter.A4Width / 2, $"{secretary} vs {chair}");
    }

    [Fact]
    public async Task A_long_conclusion_runs_onto_more_pages_without_losing_a_word_or_crossing_the_margins()
    {
        var (_, shortPages) = Write("short.pdf", Meeting());
        var words = Enumerable.Range(1, 850).Select(i => $"ý{i.ToString("D4", CultureInfo.InvariantCulture)}").ToArray();
        var conclusion = string.Join(' ', words);
        Assert.True(conclusion.Length >= 5000, conclusion.Length.ToString(CultureInfo.InvariantCulture));
        var meeting = Meeting();
        var (pdf, pages) = Write("long.pdf", meeting with
        {
            Session = meeting.Session with { Conclusions = new Dictionary<int, string> { [1] = conclusion, [2] = conclusion, [3] = SecretConclusion } },
        });

        Assert.True(pages > shortPages, $"{pages} pages, {shortPages} without the long conclusions");
        Assert.Equal(pages, await Pages(pdf));
        var extracted = Flat(await PdfTools.Text(pdf)).Split(' ');
        Assert.All(words, w => Assert.Equal(2, extracted.Count(e => e == w)));
        Assert.Contains(SecretConclusion, string.Join(' ', extracted));
        Assert.All(Enumerable.Range(1, pages), n => Assert.Contains("Trang " + n.ToString(CultureInfo.InvariantCulture), string.Join(' ', extracted)));

        // Text stays inside the 20 mm margins (the page number sits at the foot of the margin box, not below it).
        const double Margin = 20 / 25.4 * 72;
        Assert.All(await PdfTools.Words(pdf), w => Assert.True(
            w.XMin >= Margin - 1 && w.XMax <= PdfWriter.A4Width - Margin + 1 && w.YMin >= Margin - 1 && w.YMax <= PdfWriter.A4Height - Margin + 1,
            $"'{w.Text}' at {w.XMin:0.#},{w.YMin:0.#}–{w.XMax:0.#},{w.YMax:0.#} is outside the margins"));
    }

    [Fact]
    public void The_same_content_gives_the_same_bytes()
    {
        static byte[] Bytes()
        {
            using var memory = new MemoryStream();
            MinutesPdf.Write(memory, Meeting());
            return memory.ToArray();
        }

        var first = Bytes();
        Assert.Equal(first, Bytes());
        Assert.StartsWith("%PDF-", Encoding.ASCII.GetString(first, 0, 5));
    }

    [Fact]
    public void An_opinion_tally_counts_each_participants_latest_answer_among_those_who_can_see_the_item()
    {
        var eligible = People.Take(3).ToList();
        var request = new OpinionRequestRecord(1, "?", Start, Start, true,
        [
            new("AN@tinhuy.vn", OpinionAnswer.Disagree, null, Start.AddMinutes(1)),
            new("an@tinhuy.vn", OpinionAnswer.Agree, null, Start.AddMinutes(2)),
            new("binh@tinhuy.vn", OpinionAnswer.Other, "x", Start.AddMinutes(1)),
        ]);

        var tally = OpinionTally.Of(request, eligible);

        Assert.Equal((1, 0, 1, 1), (tally.Agree, tally.Disagree, tally.Other, tally.NotAnswered));
    }

    private (string Path, int Pages) Write(string name, MinutesContent content)
    {
        var path = Path.Combine(_tools.Directory, name);
        using var file = File.Create(path);
        var pages = MinutesPdf.Write(file, content);
        return (path, pages);
    }

    private static async Task<int> Pages(string pdf)
        => int.Parse(PagesLine().Match(await PdfTools.Run("pdfinfo", pdf)).Groups[1].Value, CultureInfo.InvariantCulture);

    /// <summary>Extracted text with every run of white space (line and page breaks included) as one space.</summary>
    private static string Flat(string text) => Whitespace().Replace(text.Normalize(NormalizationForm.FormC), " ").Trim();

    private static string Between(string text, string from, string to)
    {
        var start = text.IndexOf(from, StringComparison.Ordinal);
        var end = text.IndexOf(to, start + 1, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"'{from}' … '{to}' not found in order");
        return text[start..end];
    }

    private static MinutesContent Meeting()
    {
        var agenda = new AgendaItem[]
        {
            new(1, "Đề án chuyển đổi số giai đoạn 2026–2030", "Nguyễn Văn An", ["doc-1"], null, null),
            new(2, "Kiện toàn Ban Chỉ đạo phòng, chống tham nhũng", "Trần Thị Bình", ["doc-2"], null, null),
            new(3, "Công tác cán bộ", "Lê Văn Cường", ["doc-3"], null, ["cuong@tinhuy.vn", "dung@tinhuy.vn", "giang@tinhuy.vn", "hanh@tinhuy.vn"]),
            new(4, "Báo cáo tình hình kinh tế - xã hội", "Văn phòng", [], "báo cáo chưa được phê duyệt", null),
        };
        var plan = new MeetingPlan(Title, Start, "Phòng họp số 1, Tỉnh ủy", "Nguyễn Văn An", "Trần Thị Bình", null, People, agenda);
        var session = new MeetingSession(
            ["an@tinhuy.vn", "binh@tinhuy.vn", "cuong@tinhuy.vn", "dung@tinhuy.vn", "giang@tinhuy.vn"],
            new Dictionary<int, string> { [1] = OpinionConclusion, [2] = NamedConclusion, [3] = SecretConclusion });
        var opinions = new[]
        {
            new OpinionRequestRecord(1, "Đồng chí có đồng ý với Đề án không?", Start.AddDays(-2), Start.AddDays(-7), true,
            [
                new("an@tinhuy.vn", OpinionAnswer.Disagree, null, Start.AddDays(-5)),
                new("an@tinhuy.vn", OpinionAnswer.Agree, "Đồng ý toàn văn.", Start.AddDays(-4)),
                new("binh@tinhuy.vn", OpinionAnswer.Disagree, Comment, Start.AddDays(-4)),
                new("cuong@tinhuy.vn", OpinionAnswer.Agree, null, Start.AddDays(-3)),
                new("khoa@tinhuy.vn", OpinionAnswer.Other, "Cần thêm thời gian nghiên cứu.", Start.AddDays(-3)),
            ]),
        };
        var votes = new[]
        {
            new VoteRecord(2, false, false,
            [
                new("an@tinhuy.vn", VoteChoice.Yes, Start.AddHours(1)),
                new("binh@tinhuy.vn", VoteChoice.Yes, Start.AddHours(1)),
                new("cuong@tinhuy.vn", VoteChoice.Yes, Start.AddHours(1)),
                new("dung@tinhuy.vn", VoteChoice.No, Start.AddHours(1)),
                new("giang@tinhuy.vn", VoteChoice.Abstain, Start.AddHours(1)),
            ]),
            new VoteRecord(3, true, false,
            [
                new("dung@tinhuy.vn", VoteChoice.Yes, Start.AddHours(2)),
                new("giang@tinhuy.vn", VoteChoice.No, Start.AddHours(2)),
                new("hanh@tinhuy.vn", VoteChoice.Yes, Start.AddHours(2)),
            ]),
        };
        return new MinutesContent(plan, session, opinions, votes, 3, Start.AddHours(3), "m-2026-12-15");
    }

    [GeneratedRegex(@"^Pages:\s+(\d+)", RegexOptions.Multiline)]
    private static partial Regex PagesLine();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
