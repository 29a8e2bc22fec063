using System.Globalization;
using System.Net;
using System.Text;
using Pipeline.Functions.Links;
using Pipeline.Functions.Mail;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// The mails of a meeting. They carry the meeting's title, time and place and the participant's personal link — never
/// a document or the title of an item restricted to named participants (a secret item), and never an attachment.
/// </summary>
public static class MeetingMails
{
    /// <summary>The pack is published (version 1) or changed (later versions): open it through the link.</summary>
    public static MailMessage PackReady(MeetingParticipant to, MeetingPlan plan, int version, Uri link) => Compose(to,
        version == 1 ? $"Mời họp: {plan.Title}" : $"Tài liệu họp đã cập nhật (bản {version}): {plan.Title}",
        version == 1
            ? "Đồng chí được mời dự cuộc họp dưới đây. Chương trình và tài liệu họp xem tại đường dẫn riêng của đồng chí."
            : $"Tài liệu họp đã được cập nhật thành bản {version}; bản trước không còn hiệu lực. Xem bản mới tại đường dẫn riêng của đồng chí.",
        plan, link);

    /// <summary>A written opinion is asked for on an item, by a deadline.</summary>
    public static MailMessage OpinionRequested(MeetingParticipant to, MeetingPlan plan, AgendaItem item, DateTime deadline, Uri link, bool reminder) => Compose(to,
        (reminder ? "Nhắc: " : "") + $"Xin ý kiến bằng văn bản: {plan.Title}",
        $"Đề nghị đồng chí cho ý kiến về {ItemName(item)} trước {Vietnam(deadline)}.", plan, link);

    private static string ItemName(AgendaItem item) => item.RestrictedTo is null ? $"nội dung số {item.Number}: {item.Title}" : $"nội dung số {item.Number}";

    private static MailMessage Compose(MeetingParticipant to, string subject, string lead, MeetingPlan plan, Uri link)
    {
        var facts = new List<(string Label, string Value)> { ("Cuộc họp", plan.Title), ("Thời gian", Vietnam(plan.StartsAt)) };
        if (plan.Place is { } place) facts.Add(("Địa điểm", place));
        var text = new StringBuilder()
            .Append("Kính gửi đồng chí ").Append(to.Display).Append(",\n\n").Append(lead).Append("\n\n");
        foreach (var (label, value) in facts) text.Append(label).Append(": ").Append(value).Append('\n');
        text.Append("\nĐường dẫn riêng của đồng chí (không chuyển tiếp thư này):\n\n").Append(link.AbsoluteUri)
            .Append("\n\nThư này được hệ thống gửi tự động; đề nghị không trả lời.\n");
        var html = new StringBuilder("<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>")
            .Append(Encode(subject)).Append("</title></head><body><p>Kính gửi đồng chí ").Append(Encode(to.Display)).Append(",</p><p>")
            .Append(Encode(lead)).Append("</p><ul>");
        foreach (var (label, value) in facts) html.Append("<li>").Append(Encode(label)).Append(": ").Append(Encode(value)).Append("</li>");
        html.Append("</ul><p><a href=\"").Append(Encode(link.AbsoluteUri)).Append("\">Mở trang cuộc họp</a></p>")
            .Append("<p>Đường dẫn chỉ dành riêng cho đồng chí; đề nghị không chuyển tiếp thư này.</p></body></html>");
        return new MailMessage(to.Name is null ? to.Email : $"{to.Name} <{to.Email}>", OneLine(subject), text.ToString(), html.ToString(),
            new Dictionary<string, string> { ["Auto-Submitted"] = "auto-generated" });
    }

    /// <summary>A UTC time as Vietnamese read it: <c>08:00 ngày 15/12/2026 (giờ Việt Nam)</c>.</summary>
    public static string Vietnam(DateTime utc) => LinkPage.VietnamTime(utc);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
}
