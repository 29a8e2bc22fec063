using System.Net.Mail;
using Pipeline.Functions.Mail;
using MailMessage = Pipeline.Functions.Mail.MailMessage;

namespace Pipeline.Functions.Tests.Mail;

/// <summary>SMTP through System.Net.Mail into a real MailDev, read back over its REST API.</summary>
public sealed class SmtpMailerTests(MailDevFixture maildev) : IClassFixture<MailDevFixture>
{
    private const string ApproveLink = "http://127.0.0.1:7071/approvals/eyJhcHByb3ZhbCI6IjQyIn0.c2lnbmF0dXJl?x=1&y=2";

    private SmtpMailer Mailer(string from = MailSettings.DefaultFrom) =>
        new(new MailSettings { Host = "127.0.0.1", Port = maildev.SmtpPort, From = from });

    [Fact]
    public async Task Vietnamese_mail_arrives_with_subject_recipient_and_the_link_on_its_own_line()
    {
        var subject = "Xin ý kiến phê duyệt: Quyết định số 123/QĐ-UBND về việc ban hành quy chế làm việc";
        var text = $"Kính gửi đồng chí Nguyễn Văn An,\n\nMở trang phê duyệt:\n{ApproveLink}\n\nTrân trọng.\n";
        var html = $"<p>Kính gửi đồng chí Nguyễn Văn An,</p><p><a href=\"{ApproveLink}\">Phê duyệt</a></p>";

        var sent = await Mailer("Văn phòng UBND <vanphong@ubnd.example.vn>").SendAsync(new MailMessage(
            "Nguyễn Văn An <an.nv@ubnd.example.vn>", subject, text, html,
            new Dictionary<string, string> { ["Auto-Submitted"] = "auto-generated" }));

        Assert.Null(sent.OutboxPath);
        Assert.Matches(@"^<[0-9a-f]{32}@ubnd\.example\.vn>$", sent.MessageId);
        var mail = await maildev.WaitForMailAsync(sent.MessageId);
        Assert.Equal(subject, mail.GetProperty("subject").GetString());
        var to = Assert.Single(mail.GetProperty("to").EnumerateArray());
        Assert.Equal("an.nv@ubnd.example.vn", to.GetProperty("address").GetString());
        Assert.Equal("Nguyễn Văn An", to.GetProperty("name").GetString());
        Assert.Equal("vanphong@ubnd.example.vn", Assert.Single(mail.GetProperty("from").EnumerateArray()).GetProperty("address").GetString());
        var lines = mail.GetProperty("text").GetString()!.ReplaceLineEndings("\n").Split('\n');
        Assert.Contains(ApproveLink, lines);
        Assert.Contains("Kính gửi đồng chí Nguyễn Văn An,", lines);
        Assert.Contains(html, mail.GetProperty("html").GetString());
        Assert.Equal("auto-generated", mail.GetProperty("headers").GetProperty("auto-submitted").GetString());
    }

    [Fact]
    public async Task Concurrent_sends_each_arrive_once()
    {
        var mailer = Mailer();
        var sent = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            mailer.SendAsync(new MailMessage($"user{i}@example.vn", $"Nhắc việc {i}", $"{ApproveLink}&n={i}\n", $"<p>{i}</p>"))));

        Assert.Equal(8, sent.Select(s => s.MessageId).Distinct().Count());
        foreach (var (s, i) in sent.Select((s, i) => (s, i)))
        {
            var mail = await maildev.WaitForMailAsync(s.MessageId);
            Assert.Equal($"Nhắc việc {i}", mail.GetProperty("subject").GetString());
        }
    }

    [Fact]
    public async Task Header_injection_is_refused_before_connecting()
    {
        // Port 1 on loopback has no server: reaching SMTP would fail with SmtpException, not ArgumentException.
        var mailer = new SmtpMailer(new MailSettings { Host = "127.0.0.1", Port = 1 });
        await Assert.ThrowsAsync<ArgumentException>(() =>
            mailer.SendAsync(new MailMessage("a@example.vn", "Hello\r\nBcc: spy@example.com", "x", "x")));
        await Assert.ThrowsAsync<SmtpException>(() => mailer.SendAsync(new MailMessage("a@example.vn", "Hello", "x", "x")));
    }
}
