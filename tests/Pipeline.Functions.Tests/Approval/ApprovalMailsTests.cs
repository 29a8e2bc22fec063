using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Pipeline.Functions.Approval;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Mail;

namespace Pipeline.Functions.Tests.Approval;

/// <summary>What approval mails show their readers, and what they must never show.</summary>
public sealed class ApprovalMailsTests
{
    private const string Approver = "nguyen.van.a@hanoi.gov.vn";
    private const string Type = "Tờ trình";
    private const string Code = "125/TTr-VPTU";
    private const string Summary = "Về phương án sắp xếp trụ sở làm việc các ban Đảng";

    // 09:00 UTC is 16:00 in Hà Nội; given at +2 so the test fails if the offset is not converted.
    private static readonly DateTimeOffset DueAt = new(2027, 1, 4, 11, 0, 0, TimeSpan.FromHours(2));
    private const string DueShown = "16:00 ngày 04/01/2027 (giờ Việt Nam)";

    private static readonly Uri Link = new("https://pipeline.tinhuy.hanoi.gov.vn/approvals/eyJhIjoiMSJ9.QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlq");

    private static ApprovalMailDocument Document(SecrecyLevel secrecy = SecrecyLevel.None, string? summary = Summary) =>
        new(Type, Code, summary, secrecy);

    private static MailMessage[] AllThree(ApprovalMailDocument document) =>
    [
        ApprovalMails.Invitation(Approver, document, "Thẩm định", 2, 3, DueAt, Link),
        ApprovalMails.Reminder(Approver, document, "Thẩm định", DueAt, Link),
        ApprovalMails.Escalation("chanh.van.phong@hanoi.gov.vn", document, "Thẩm định", DueAt, [Approver], "3f2c7a9e-approval"),
    ];

    // Everything a reader or an eavesdropper on the mail could see, with the HTML both raw and as rendered.
    private static string Everything(MailMessage mail) =>
        string.Join("\n",
            mail.Subject, mail.TextBody, mail.HtmlBody, WebUtility.HtmlDecode(mail.HtmlBody),
            string.Join("\n", (mail.Headers ?? new Dictionary<string, string>()).Select(h => $"{h.Key}: {h.Value}")));

    private static string[] TextLines(MailMessage mail) => mail.TextBody.Split('\n');

    private static string[] Hrefs(MailMessage mail) =>
        Regex.Matches(mail.HtmlBody, "href=\"([^\"]*)\"").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToArray();

    [Fact]
    public void Invitation_shows_the_document_the_step_the_due_time_and_one_personal_link()
    {
        var mail = ApprovalMails.Invitation(Approver, Document(), "Thẩm định", 2, 3, DueAt, Link);

        Assert.Equal(Approver, mail.To);
        Assert.Equal($"Xin ý kiến: {Type} {Code}", mail.Subject);
        var rendered = WebUtility.HtmlDecode(mail.HtmlBody);
        foreach (var part in new[] { mail.TextBody, rendered })
        {
            Assert.Contains("Kính gửi đồng chí", part);
            Assert.Contains("Văn bản chờ đồng chí cho ý kiến", part);
            Assert.Contains(Type, part);
            Assert.Contains(Code, part);
            Assert.Contains(Summary, part);
            Assert.Contains("Bước 2/3: Thẩm định", part);
            Assert.Contains("Hạn xử lý: " + DueShown, part);
        }
        Assert.Contains(Link.AbsoluteUri, TextLines(mail));
        Assert.Single(Regex.Matches(mail.TextBody, "https?://"));
        Assert.Equal([Link.AbsoluteUri], Hrefs(mail));
        Assert.Single(Regex.Matches(mail.HtmlBody, "<a "));
    }

    [Fact]
    public void Html_part_is_a_self_contained_vietnamese_document()
    {
        var mail = ApprovalMails.Invitation(Approver, Document(), "Thẩm định", 2, 3, DueAt, Link);

        Assert.StartsWith("<!DOCTYPE html>", mail.HtmlBody);
        Assert.Contains("<html lang=\"vi\">", mail.HtmlBody);
        Assert.Contains("<meta charset=\"utf-8\">", mail.HtmlBody);
        Assert.EndsWith("</html>\n", mail.HtmlBody);
        Assert.DoesNotContain("<script", mail.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", mail.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", mail.HtmlBody, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Caller_text_is_escaped_in_the_html_part()
    {
        const string hostile = "Kế hoạch <script>alert('x')</script> & dự toán";
        var mail = ApprovalMails.Invitation(Approver, Document(summary: hostile), "Thẩm <b>định</b>", 1, 1, DueAt, Link);

        Assert.DoesNotContain("<script", mail.HtmlBody);
        Assert.DoesNotContain("<b>", mail.HtmlBody);
        Assert.Contains("&lt;script&gt;", mail.HtmlBody);
        Assert.Contains(" &amp; ", mail.HtmlBody);
        Assert.Contains(hostile, WebUtility.HtmlDecode(mail.HtmlBody));
        Assert.Contains(hostile, mail.TextBody);
    }

    [Fact]
    public void Link_with_a_query_is_whole_in_the_text_and_encoded_in_the_href()
    {
        var link = new Uri("https://pipeline.hanoi.gov.vn/approvals/abc.def?lang=vi&from=mail");
        var mail = ApprovalMails.Reminder(Approver, Document(), "Thẩm định", DueAt, link);

        Assert.Contains(link.AbsoluteUri, TextLines(mail));
        Assert.Contains("href=\"https://pipeline.hanoi.gov.vn/approvals/abc.def?lang=vi&amp;from=mail\"", mail.HtmlBody);
        Assert.Equal([link.AbsoluteUri], Hrefs(mail));
    }

    [Theory]
    [InlineData(SecrecyLevel.Mat)]
    [InlineData(SecrecyLevel.ToiMat)]
    [InlineData(SecrecyLevel.TuyetMat)]
    public void Secret_document_mails_say_nothing_about_the_document(SecrecyLevel secrecy)
    {
        foreach (var mail in AllThree(Document(secrecy)))
        {
            var everything = Everything(mail);
            Assert.DoesNotContain(Type, everything, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Code, everything, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Summary, everything, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Trích yếu", everything);
            Assert.DoesNotContain("Thẩm định", everything);
            Assert.DoesNotContain("mật", everything, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(secrecy.ToApiName(), everything, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(secrecy.ToString(), everything, StringComparison.OrdinalIgnoreCase);
            Assert.Contains(DueShown, mail.TextBody);
        }
    }

    [Theory]
    [InlineData(SecrecyLevel.Mat)]
    [InlineData(SecrecyLevel.TuyetMat)]
    public void Secret_document_mails_still_let_the_reader_act(SecrecyLevel secrecy)
    {
        var (invitation, reminder, escalation) = AllThree(Document(secrecy)) switch { var m => (m[0], m[1], m[2]) };

        Assert.Equal("Văn bản chờ ý kiến", invitation.Subject);
        Assert.Equal("Nhắc: văn bản chờ ý kiến", reminder.Subject);
        Assert.Equal("Quá hạn xử lý văn bản", escalation.Subject);
        foreach (var mail in new[] { invitation, reminder })
        {
            Assert.Contains(Link.AbsoluteUri, TextLines(mail));
            Assert.Equal([Link.AbsoluteUri], Hrefs(mail));
            Assert.Contains("hệ thống nội bộ", mail.TextBody);
        }
        Assert.Contains("- " + Approver, TextLines(escalation));
        Assert.Contains("3f2c7a9e-approval", escalation.TextBody);
        Assert.Empty(Hrefs(escalation));
    }

    [Fact]
    public void Missing_fields_leave_no_null_and_no_empty_labels()
    {
        var document = new ApprovalMailDocument(null, "  ", null, SecrecyLevel.None);
        var mails = new[]
        {
            ApprovalMails.Invitation(Approver, document, "", 1, 2, DueAt, Link),
            ApprovalMails.Reminder(Approver, document, null!, DueAt, Link),
            ApprovalMails.Escalation("chanh.van.phong@hanoi.gov.vn", document, " ", DueAt, [Approver, ""], "a-1"),
        };

        foreach (var mail in mails)
        {
            var everything = Everything(mail);
            Assert.DoesNotContain("null", everything, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Loại văn bản", everything);
            Assert.DoesNotContain("Số, ký hiệu", everything);
            Assert.DoesNotContain("Trích yếu", everything);
            Assert.DoesNotContain("Bước xử lý", everything);
            Assert.DoesNotMatch(":\\s*(\n|<br>|</p>|$)", mail.Subject);
            Assert.DoesNotMatch("[:,]\\s*$", mail.Subject);
            Assert.DoesNotContain("- \n", mail.TextBody + "\n");
            Assert.DoesNotContain("<li></li>", mail.HtmlBody);
        }
        Assert.Equal("Văn bản chờ ý kiến", mails[0].Subject);
        Assert.Contains("Bước 1/2", mails[0].TextBody);
        Assert.DoesNotContain("Bước 1/2:", mails[0].TextBody);
    }

    [Fact]
    public void Subject_with_only_a_code_has_no_stray_spaces()
    {
        var mail = ApprovalMails.Invitation(Approver, new(null, Code, null, SecrecyLevel.None), "Thẩm định", 1, 1, DueAt, Link);

        Assert.Equal($"Xin ý kiến: {Code}", mail.Subject);
    }

    [Fact]
    public void Line_breaks_in_caller_text_do_not_reach_the_subject()
    {
        var mail = ApprovalMails.Invitation(Approver, new("Tờ\r\ntrình", "125/TTr\nVPTU", Summary, SecrecyLevel.None), "Thẩm định", 1, 1, DueAt, Link);

        Assert.Equal("Xin ý kiến: Tờ trình 125/TTr VPTU", mail.Subject);
    }

    [Fact]
    public void Decomposed_caller_text_comes_out_in_nfc()
    {
        var decomposed = Summary.Normalize(NormalizationForm.FormD);
        Assert.NotEqual(Summary, decomposed);

        var mail = ApprovalMails.Invitation(Approver, Document(summary: decomposed), "Thẩm định", 1, 1, DueAt, Link);

        Assert.True(mail.TextBody.IsNormalized(NormalizationForm.FormC));
        Assert.True(mail.HtmlBody.IsNormalized(NormalizationForm.FormC));
        Assert.True(mail.Subject.IsNormalized(NormalizationForm.FormC));
        Assert.Contains(Summary, mail.TextBody);
    }

    [Fact]
    public void Reminder_carries_the_same_link_and_says_the_due_time_is_near()
    {
        var mail = ApprovalMails.Reminder(Approver, Document(), "Thẩm định", DueAt, Link);

        Assert.Equal($"Nhắc xin ý kiến: {Type} {Code}", mail.Subject);
        Assert.Contains("sắp đến hạn", mail.TextBody);
        Assert.Contains("Hạn xử lý: " + DueShown, mail.TextBody);
        Assert.Contains("Bước xử lý: Thẩm định", mail.TextBody);
        Assert.Contains(Summary, mail.TextBody);
        Assert.Contains(Link.AbsoluteUri, TextLines(mail));
        Assert.Single(Regex.Matches(mail.TextBody, "https?://"));
        Assert.Equal([Link.AbsoluteUri], Hrefs(mail));
    }

    [Fact]
    public void Escalation_names_who_has_not_decided_and_the_approval_but_carries_no_link()
    {
        string[] undecided = ["nguyen.van.a@hanoi.gov.vn", "tran.thi.b@hanoi.gov.vn"];
        var mail = ApprovalMails.Escalation("chanh.van.phong@hanoi.gov.vn", Document(), "Thẩm định", DueAt, undecided, "3f2c7a9e-approval");

        Assert.Equal($"Quá hạn xử lý: {Type} {Code}", mail.Subject);
        var lines = TextLines(mail);
        Assert.Contains("- nguyen.van.a@hanoi.gov.vn", lines);
        Assert.Contains("- tran.thi.b@hanoi.gov.vn", lines);
        Assert.Contains("<li>tran.thi.b@hanoi.gov.vn</li>", mail.HtmlBody);
        Assert.Contains("Mã phê duyệt: 3f2c7a9e-approval", mail.TextBody);
        Assert.Contains("Hạn xử lý: " + DueShown, mail.TextBody);
        Assert.Contains("quá hạn", mail.TextBody);
        var everything = Everything(mail);
        Assert.DoesNotContain("/approvals/", everything);
        Assert.DoesNotContain("http", everything.Replace("charset", ""), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(Hrefs(mail));
    }

    [Fact]
    public void Every_mail_is_marked_auto_generated_and_nothing_else_rides_in_headers()
    {
        foreach (var mail in AllThree(Document()).Concat(AllThree(Document(SecrecyLevel.TuyetMat))))
        {
            Assert.Equal(new Dictionary<string, string> { ["Auto-Submitted"] = "auto-generated" }, mail.Headers);
            Assert.Null(mail.Key);
            Assert.Null(mail.Queued);
        }
    }

    [Fact]
    public void Display_name_in_the_address_is_used_in_the_greeting()
    {
        var mail = ApprovalMails.Invitation("Nguyễn Văn A <nguyen.van.a@hanoi.gov.vn>", Document(), "Thẩm định", 1, 1, DueAt, Link);

        Assert.StartsWith("Kính gửi đồng chí Nguyễn Văn A,\n", mail.TextBody);
    }

    [Fact]
    public void Link_that_is_not_http_is_refused()
    {
        Assert.Throws<ArgumentException>(() =>
            ApprovalMails.Invitation(Approver, Document(), "Thẩm định", 1, 1, DueAt, new Uri("javascript:alert(1)")));
    }
}
