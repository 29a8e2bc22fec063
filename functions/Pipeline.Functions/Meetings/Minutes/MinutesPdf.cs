using System.Globalization;
using Pipeline.Functions.Meetings.Pdf;
using static Pipeline.Functions.Meetings.MinutesFlow;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// Writes the minutes (biên bản cuộc họp) of a concluded meeting as an A4 PDF in Vietnamese: the meeting, who
/// attended and who did not, then per agenda item its written opinions, votes and conclusion, and the signature
/// blocks of the secretary and the chair.
/// </summary>
/// <remarks>
/// <para>A secret vote is printed as its tally only: no voter is ever named beside a choice, nor at all in that vote.
/// A secret item (restricted to named participants) is recorded in full like any other, marked as such: the minutes
/// are an archived record under the meeting's own access rules.</para>
/// <para>Deterministic (the same content gives the same bytes) and streamed page by page to the output, which is
/// left open.</para>
/// </remarks>
public static class MinutesPdf
{
    private const double Indent = 14, Body = 11.5, BodyLine = 16;

    /// <summary>Vietnam keeps UTC+7 all year (no daylight saving), so a fixed offset is exact.</summary>
    private static readonly TimeSpan VietnamTime = TimeSpan.FromHours(7);

    /// <summary>Writes the minutes of <paramref name="content"/> to <paramref name="output"/>.</summary>
    /// <returns>The number of pages written.</returns>
    /// <exception cref="InvalidOperationException">The PDF fonts are not installed (see <see cref="PdfFonts.Default"/>).</exception>
    public static int Write(Stream output, MinutesContent content)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(content);
        var plan = content.Plan;
        using var pdf = new PdfWriter(output) { Title = "Biên bản cuộc họp — " + plan.Title };
        var flow = new MinutesFlow(pdf, "Biên bản cuộc họp: " + plan.Title);

        WriteHeading(flow, content);
        WriteAttendance(flow, plan, content.Session);
        flow.Gap(10);
        flow.KeepTogether(60);
        flow.Lines(0, "II. NỘI DUNG VÀ KẾT QUẢ", PdfFontStyle.Bold, 12.5, 20);
        if (plan.Agenda.Count == 0) flow.Lines(Indent, "Không có nội dung.", PdfFontStyle.Italic, Body, BodyLine);
        foreach (var item in plan.Agenda.OrderBy(i => i.Number))
        {
            var heading = $"{Number(item.Number)}. {item.Title}";
            // Keep the item's heading with the line after it rather than leave it alone at the foot of a page.
            flow.KeepTogether(flow.Height(heading, PdfFontStyle.Bold, 12, 17) + 2 * BodyLine + 6);
            flow.Gap(6);
            pdf.AddBookmark(heading, flow.PageIndex);
            WriteItem(flow, content, item, heading);
        }
        WriteSignatures(flow, plan);
        pdf.Finish();
        return pdf.PageCount;
    }

    private static void WriteHeading(MinutesFlow flow, MinutesContent content)
    {
        var plan = content.Plan;
        flow.Centered("BIÊN BẢN CUỘC HỌP", PdfFontStyle.Bold, 15, 22);
        flow.Centered(plan.Title, PdfFontStyle.Bold, 13, 19);
        flow.Gap(12);
        Field(flow, 0, "Thời gian: ", WhenText(plan.StartsAt));
        if (!string.IsNullOrWhiteSpace(plan.Place)) Field(flow, 0, "Địa điểm: ", plan.Place);
        Field(flow, 0, "Chủ trì: ", Or(plan.Chair, "chưa ghi"));
        Field(flow, 0, "Thư ký: ", Or(plan.Secretary, "chưa ghi"));
        if (!string.IsNullOrWhiteSpace(plan.Dossier)) Field(flow, 0, "Hồ sơ: ", plan.Dossier);
        Field(flow, 0, "Phiên bản tài liệu: ", Number(content.PackVersion));
        Field(flow, 0, "Kết thúc: ", WhenText(content.ConcludedAt));
        Field(flow, 0, "Mã cuộc họp: ", content.MeetingId);
        flow.Gap(6);
        flow.Rule();
        flow.Gap(8);
    }

    private static void WriteAttendance(MinutesFlow flow, MeetingPlan plan, MeetingSession session)
    {
        var attending = session.Attendance.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var present = plan.Participants.Where(p => attending.Contains(p.Email)).ToList();
        var absent = plan.Participants.Where(p => !attending.Contains(p.Email)).ToList();
        var invited = plan.Participants.Select(p => p.Email).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var others = session.Attendance.Where(e => !invited.Contains(e)).Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.OrdinalIgnoreCase).ToList();
        var total = Number(plan.Participants.Count);

        flow.Lines(0, "I. THÀNH PHẦN THAM DỰ", PdfFontStyle.Bold, 12.5, 20);
        flow.Lines(Indent, $"Có mặt: {Number(present.Count)}/{total}", PdfFontStyle.Bold, Body, BodyLine);
        if (present.Count > 0) flow.Lines(2 * Indent, Names(present) + ".", PdfFontStyle.Regular, Body, BodyLine);
        flow.Lines(Indent, $"Vắng mặt: {Number(absent.Count)}/{total}", PdfFontStyle.Bold, Body, BodyLine);
        if (absent.Count > 0) flow.Lines(2 * Indent, Names(absent) + ".", PdfFontStyle.Regular, Body, BodyLine);
        if (others.Count > 0)
        {
            flow.Lines(Indent, $"Tham dự ngoài danh sách mời: {Number(others.Count)}", PdfFontStyle.Bold, Body, BodyLine);
            flow.Lines(2 * Indent, string.Join(", ", others) + ".", PdfFontStyle.Regular, Body, BodyLine);
        }

        static string Names(IEnumerable<MeetingParticipant> people) => string.Join(", ", people.Select(p => p.Display));
    }

    private static void WriteItem(MinutesFlow flow, MinutesContent content, AgendaItem item, string heading)
    {
        var plan = content.Plan;
        var eligible = plan.Participants.Where(p => item.VisibleTo(p.Email)).ToList();
        flow.Lines(0, heading, PdfFontStyle.Bold, 12, 17, hanging: Indent);
        if (item.RestrictedTo is not null)
            flow.Lines(Indent, "(nội dung mật — chỉ người được chỉ định)", PdfFontStyle.Italic, Body, BodyLine);
        if (!string.IsNullOrWhiteSpace(item.Presenter)) Field(flow, Indent, "Trình bày: ", item.Presenter);
        if (!string.IsNullOrWhiteSpace(item.ForInformation)) Field(flow, Indent, "Để biết: ", item.ForInformation);

        foreach (var request in content.Opinions.Where(o => o.Item == item.Number).OrderBy(o => o.Created).ThenBy(o => o.Question, StringComparer.Ordinal))
            WriteOpinions(flow, plan, request, OpinionTally.Of(request, eligible));
        foreach (var vote in content.Votes.Where(v => v.Item == item.Number))
            WriteVote(flow, plan, vote, VoteTally.Of(vote, eligible));

        if (content.Session.Conclusions.TryGetValue(item.Number, out var conclusion) && !string.IsNullOrWhiteSpace(conclusion))
            Field(flow, Indent, "Kết luận: ", conclusion.Trim());
        else
            flow.Field(Indent, "Kết luận: ", PdfFontStyle.Bold, "Chưa có kết luận", PdfFontStyle.Italic, Body, BodyLine);
        flow.Gap(4);
    }

    private static void WriteOpinions(MinutesFlow flow, MeetingPlan plan, OpinionRequestRecord request, OpinionTally tally)
    {
        Field(flow, Indent, "Lấy ý kiến bằng văn bản: ", request.Question);
        flow.Lines(2 * Indent, $"Hạn trả lời: {WhenText(request.Deadline)}" + (request.Closed ? " (đã kết thúc)." : " (chưa kết thúc)."),
            PdfFontStyle.Italic, Body, BodyLine);
        flow.Lines(2 * Indent, $"Đồng ý: {Number(tally.Agree)}, Không đồng ý: {Number(tally.Disagree)}, "
            + $"Ý kiến khác: {Number(tally.Other)}, Chưa trả lời: {Number(tally.NotAnswered)}.", PdfFontStyle.Regular, Body, BodyLine);
        var comments = tally.Answers.Where(a => !string.IsNullOrWhiteSpace(a.Comment)).ToList();
        if (comments.Count == 0) return;
        flow.Lines(2 * Indent, "Ý kiến cụ thể:", PdfFontStyle.Regular, Body, BodyLine);
        foreach (var answer in comments)
            flow.Lines(3 * Indent, $"– {Display(plan, answer.Participant)} ({AnswerText(answer.Answer)}): {answer.Comment!.Trim()}",
                PdfFontStyle.Regular, Body, BodyLine, hanging: 9);
    }

    private static void WriteVote(MinutesFlow flow, MeetingPlan plan, VoteRecord vote, VoteTally tally)
    {
        var kind = vote.Secret ? "bỏ phiếu kín" : "biểu quyết công khai (ghi danh)";
        Field(flow, Indent, "Biểu quyết: ", kind + (vote.Open ? " — chưa kết thúc, kết quả tạm tính." : "."));
        flow.Lines(2 * Indent, $"Tán thành: {Number(tally.Yes)}, Không tán thành: {Number(tally.No)}, Không biểu quyết: {Number(tally.Abstain)} "
            + $"(số người biểu quyết: {Number(tally.Voted)}/{Number(tally.Eligible)}).", PdfFontStyle.Regular, Body, BodyLine);
        // A secret vote stops at the tally: listing even who voted, without their choice, is more than it may say.
        if (vote.Secret) return;
        foreach (var choice in new[] { VoteChoice.Yes, VoteChoice.No, VoteChoice.Abstain })
        {
            var voters = tally.Votes.Where(v => v.Choice == choice).Select(v => Display(plan, v.Participant)).ToList();
            if (voters.Count == 0) continue;
            flow.Field(3 * Indent, $"– {ChoiceText(choice)}: ", PdfFontStyle.Italic, string.Join(", ", voters) + ".", PdfFontStyle.Regular,
                Body, BodyLine, hanging: 9);
        }
    }

    private static void WriteSignatures(MinutesFlow flow, MeetingPlan plan)
    {
        flow.Gap(20);
        static BlockLine[] Block(string role, string? name) =>
        [
            new(role, PdfFontStyle.Bold, 12, 17),
            new("(Ký, ghi rõ họ tên)", PdfFontStyle.Italic, 10.5, 15),
            new(string.IsNullOrWhiteSpace(name) ? " " : name.Trim(), PdfFontStyle.Bold, 12, 17, SpaceBefore: 60),
        ];
        flow.SideBySide(Block("THƯ KÝ", plan.Secretary), Block("CHỦ TRÌ", plan.Chair));
    }

    private static void Field(MinutesFlow flow, double indent, string label, string value)
        => flow.Field(indent, label, PdfFontStyle.Bold, value, PdfFontStyle.Regular, Body, BodyLine);

    private static string Display(MeetingPlan plan, string email) => plan.Participant(email)?.Display ?? email;

    private static string AnswerText(OpinionAnswer answer) => answer switch
    {
        OpinionAnswer.Agree => "đồng ý",
        OpinionAnswer.Disagree => "không đồng ý",
        _ => "ý kiến khác",
    };

    private static string ChoiceText(VoteChoice choice) => choice switch
    {
        VoteChoice.Yes => "Tán thành",
        VoteChoice.No => "Không tán thành",
        _ => "Không biểu quyết",
    };

    private static string Or(string? value, string fallback) => string.IsNullOrWhiteSpace(value) ? fallback : value;

    /// <summary>"08:00 ngày 15/12/2026" in Vietnam time. Stored times are UTC; one read back without a kind is taken as UTC too.</summary>
    internal static string WhenText(DateTime at)
    {
        var utc = at.Kind == DateTimeKind.Local ? at.ToUniversalTime() : DateTime.SpecifyKind(at, DateTimeKind.Utc);
        return (utc + VietnamTime).ToString("HH:mm 'ngày' dd/MM/yyyy", CultureInfo.InvariantCulture);
    }

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);
}
