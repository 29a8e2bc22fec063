using System.Globalization;
using System.Net;
using System.Text;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Mail;

namespace Pipeline.Functions.Approval;

/// <summary>What a mail may say about the document.</summary>
/// <param name="Type">Loại văn bản (e.g. <c>Quyết định</c>); null or blank when unknown, and the line is left out.</param>
/// <param name="Code">Số, ký hiệu (e.g. <c>57-NQ/TW</c>); null or blank when unknown.</param>
/// <param name="Summary">Trích yếu nội dung; null or blank when unknown.</param>
/// <param name="Secrecy">When secret, the mail says nothing at all about the document (see <see cref="ApprovalMails"/>).</param>
public sealed record ApprovalMailDocument(string? Type, string? Code, string? Summary, SecrecyLevel Secrecy);

/// <summary>
/// Writes the mails of an approval step: the invitation to each approver, the reminder at half the due time and the
/// escalation at the due time. Pure: no I/O, no clock; the caller sends the result (adding <c>Key</c>/<c>Queued</c>
/// with <c>with { }</c> when it must send at most once).
/// </summary>
/// <remarks>
/// <para>
/// Mail leaves the independent network, so a mail about a secret document (<see cref="SecrecyLevels.IsSecret"/>,
/// Law 117/2025/QH15) carries nothing from it: no type, code, summary or step name, and not the secrecy level either,
/// since the level alone marks the mail as worth intercepting. It says only that a document awaits a decision, when
/// it is due, and where to open it on the internal system.
/// </para>
/// <para>
/// Text is Vietnamese in NFC (caller text is normalised too, so OCR'd decomposed text compares and renders alike), in
/// the register of state-office correspondence. Every mail has a text part with each link alone on its line and an
/// HTML part with all caller text encoded; both carry <c>Auto-Submitted: auto-generated</c> so that out-of-office
/// replies and mail loops do not answer a machine (RFC 3834).
/// </para>
/// </remarks>
public static class ApprovalMails
{
    private const string PleaseOpen = "Đề nghị đồng chí mở đường dẫn dưới đây để xem văn bản và cho ý kiến:";
    private const string ShownOnlyInside = "Nội dung văn bản chỉ được hiển thị trên hệ thống nội bộ sau khi đồng chí mở đường dẫn.";

    /// <summary>
    /// The first mail of a step to one approver: the document's type, code and summary, the step and its position
    /// (<c>Bước 2/3</c>), the due time in Vietnam time and the approver's own link, which is the only link in the mail.
    /// </summary>
    /// <param name="to">The approver's address, optionally with a display name, which then appears in the greeting.</param>
    /// <param name="document">What the mail may say about the document.</param>
    /// <param name="stepName">The step's name; left out when blank.</param>
    /// <param name="stepNumber">The step's 1-based position.</param>
    /// <param name="stepCount">How many steps the route has.</param>
    /// <param name="dueAt">When the step is due; shown in Vietnam time whatever its offset.</param>
    /// <param name="link">The approver's personal decision link (absolute http or https).</param>
    public static MailMessage Invitation(
        string to, ApprovalMailDocument document, string stepName, int stepNumber, int stepCount, DateTimeOffset dueAt, Uri link)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepNumber, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(stepNumber, stepCount);
        var letter = new Letter(to);
        if (document.Secrecy.IsSecret())
        {
            return letter
                .Paragraph("Có một văn bản chờ đồng chí cho ý kiến.", Due(dueAt))
                .Link(PleaseOpen, link)
                .Paragraph(ShownOnlyInside)
                .PersonalLinkFooter()
                .ToMail("Văn bản chờ ý kiến");
        }
        var step = $"Bước {stepNumber}/{stepCount}" + (Clean(stepName) is { } name ? $": {name}" : "");
        return letter
            .Paragraph(["Văn bản chờ đồng chí cho ý kiến:", .. Fields(document), step, Due(dueAt)])
            .Link(PleaseOpen, link)
            .PersonalLinkFooter()
            .ToMail(Subject("Xin ý kiến: ", document, "Văn bản chờ ý kiến"));
    }

    /// <summary>
    /// Sent at half the due time to an approver who has not decided: the same document lines and the same personal
    /// link as the invitation, saying the due time is near.
    /// </summary>
    /// <param name="to">The approver's address, as in the invitation.</param>
    /// <param name="document">What the mail may say about the document.</param>
    /// <param name="stepName">The step's name; left out when blank.</param>
    /// <param name="dueAt">When the step is due.</param>
    /// <param name="link">The approver's personal decision link, the one the invitation carried.</param>
    public static MailMessage Reminder(string to, ApprovalMailDocument document, string stepName, DateTimeOffset dueAt, Uri link)
    {
        ArgumentNullException.ThrowIfNull(document);
        var letter = new Letter(to);
        if (document.Secrecy.IsSecret())
        {
            return letter
                .Paragraph("Có một văn bản sắp đến hạn xử lý mà đồng chí chưa cho ý kiến.", Due(dueAt))
                .Link(PleaseOpen, link)
                .Paragraph(ShownOnlyInside)
                .PersonalLinkFooter()
                .ToMail("Nhắc: văn bản chờ ý kiến");
        }
        return letter
            .Paragraph(["Văn bản dưới đây sắp đến hạn xử lý mà đồng chí chưa cho ý kiến:", .. Fields(document), StepLine(stepName), Due(dueAt)])
            .Link(PleaseOpen, link)
            .PersonalLinkFooter()
            .ToMail(Subject("Nhắc xin ý kiến: ", document, "Nhắc: văn bản chờ ý kiến"));
    }

    /// <summary>
    /// Sent at the due time to the escalation contact: the step is overdue, who has not decided, and the approval id
    /// to look it up by. It has no link at all: the contact is not an approver, and a decision link must only ever
    /// reach the one approver it is bound to.
    /// </summary>
    /// <param name="to">The escalation contact's address.</param>
    /// <param name="document">What the mail may say about the document.</param>
    /// <param name="stepName">The overdue step's name; left out when blank.</param>
    /// <param name="dueAt">When the step was due.</param>
    /// <param name="undecidedApprovers">The addresses of the approvers who have not decided; blank ones are skipped.</param>
    /// <param name="approvalId">The approval's id, shown so the contact can find it on the internal system.</param>
    public static MailMessage Escalation(
        string to, ApprovalMailDocument document, string stepName, DateTimeOffset dueAt, IReadOnlyList<string> undecidedApprovers, string approvalId)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(undecidedApprovers);
        ArgumentException.ThrowIfNullOrWhiteSpace(approvalId);
        var letter = new Letter(to);
        var undecided = undecidedApprovers.Select(Clean).OfType<string>().ToList();
        var lookUp = $"Mã phê duyệt: {Clean(approvalId)}";
        const string pleaseFollowUp = "Đề nghị đồng chí tra cứu theo mã phê duyệt trên hệ thống nội bộ và đôn đốc xử lý.";
        // Who has not decided is about people, not about the document, so a secret document's escalation keeps it:
        // without it the contact could not act on the mail at all.
        if (document.Secrecy.IsSecret())
        {
            return letter
                .Paragraph("Một văn bản chờ ý kiến đã quá hạn xử lý.", Due(dueAt), lookUp)
                .List("Các đồng chí chưa cho ý kiến:", undecided)
                .Paragraph(pleaseFollowUp, "Nội dung văn bản chỉ được hiển thị trên hệ thống nội bộ.")
                .Footer()
                .ToMail("Quá hạn xử lý văn bản");
        }
        return letter
            .Paragraph(["Văn bản dưới đây đã quá hạn xử lý:", .. Fields(document), StepLine(stepName), Due(dueAt), lookUp])
            .List("Các đồng chí chưa cho ý kiến:", undecided)
            .Paragraph(pleaseFollowUp)
            .Footer()
            .ToMail(Subject("Quá hạn xử lý: ", document, "Quá hạn xử lý văn bản"));
    }

    // Only ever called for non-secret documents; each line is left out when its field is missing.
    private static IEnumerable<string?> Fields(ApprovalMailDocument document) =>
    [
        Clean(document.Type) is { } type ? $"Loại văn bản: {type}" : null,
        Clean(document.Code) is { } code ? $"Số, ký hiệu: {code}" : null,
        Clean(document.Summary) is { } summary ? $"Trích yếu: {summary}" : null,
    ];

    private static string? StepLine(string? stepName) => Clean(stepName) is { } name ? $"Bước xử lý: {name}" : null;

    private static string Subject(string prefix, ApprovalMailDocument document, string whenNothingKnown)
    {
        var label = string.Join(" ", new[] { Clean(document.Type), Clean(document.Code) }.OfType<string>());
        return label.Length == 0 ? whenNothingKnown : prefix + label;
    }

    // Approvers read the due time against their office clock, whatever offset the caller computed it in.
    private static string Due(DateTimeOffset dueAt) =>
        "Hạn xử lý: " + dueAt.ToOffset(WorkingDayCalendar.VietnamOffset).ToString("HH:mm 'ngày' dd/MM/yyyy", CultureInfo.InvariantCulture)
        + " (giờ Việt Nam)";

    // Caller text goes on one line (a subject must, and an OCR'd summary's line breaks mean nothing), in NFC; blank is
    // missing, so no "null" and no label without a value ever reaches the reader.
    private static string? Clean(string? value)
    {
        if (value is null) return null;
        var spaced = new string(value.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        var oneLine = string.Join(' ', spaced.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return oneLine.Length == 0 ? null : oneLine.Normalize(NormalizationForm.FormC);
    }

    /// <summary>Builds the text and HTML parts side by side, so both always say the same thing.</summary>
    private sealed class Letter
    {
        private readonly string to;
        private readonly List<string> text = [];
        private readonly StringBuilder html = new();

        public Letter(string to)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(to);
            this.to = to;
            var name = System.Net.Mail.MailAddress.TryCreate(to, out var address) ? Clean(address.DisplayName) : null;
            Paragraph(name is null ? "Kính gửi đồng chí," : $"Kính gửi đồng chí {name},");
        }

        public Letter Paragraph(params IEnumerable<string?> lines)
        {
            var present = lines.OfType<string>().ToList();
            text.Add(string.Join('\n', present));
            html.Append("<p>").AppendJoin("<br>\n", present.Select(WebUtility.HtmlEncode)).Append("</p>\n");
            return this;
        }

        public Letter List(string heading, IReadOnlyList<string> items)
        {
            if (items.Count == 0) return this;
            text.Add(string.Join('\n', items.Select(item => "- " + item).Prepend(heading)));
            html.Append("<p>").Append(WebUtility.HtmlEncode(heading)).Append("</p>\n<ul>\n");
            foreach (var item in items) html.Append("<li>").Append(WebUtility.HtmlEncode(item)).Append("</li>\n");
            html.Append("</ul>\n");
            return this;
        }

        // The link goes alone on the line under its heading, so a mail reader that wraps or a reader who copies gets it whole.
        public Letter Link(string heading, Uri link)
        {
            ArgumentNullException.ThrowIfNull(link);
            // It becomes an href: a relative or javascript: link would be broken or dangerous.
            if (!link.IsAbsoluteUri || link.Scheme is not ("https" or "http"))
            {
                throw new ArgumentException($"The link must be an absolute http or https URI: '{link}'.", nameof(link));
            }
            var uri = link.AbsoluteUri;
            text.Add(heading + "\n" + uri);
            var encoded = WebUtility.HtmlEncode(uri);
            html.Append("<p>").Append(WebUtility.HtmlEncode(heading)).Append("<br>\n<a href=\"").Append(encoded).Append("\">")
                .Append(encoded).Append("</a></p>\n");
            return this;
        }

        // The link is bound to this approver; a forwarded one would let someone else open the confirmation page.
        public Letter PersonalLinkFooter() =>
            Paragraph("Đường dẫn trên chỉ dành riêng cho đồng chí; đề nghị không chuyển tiếp thư này.")
                .Footer();

        public Letter Footer() => Paragraph("Thư này được hệ thống gửi tự động; đề nghị đồng chí không trả lời thư này.");

        public MailMessage ToMail(string subject)
        {
            var htmlBody =
                "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + WebUtility.HtmlEncode(subject) +
                "</title>\n</head>\n<body>\n" + html + "</body>\n</html>\n";
            return new MailMessage(
                to, subject, string.Join("\n\n", text) + "\n", htmlBody,
                new Dictionary<string, string> { ["Auto-Submitted"] = "auto-generated" });
        }
    }
}
