using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Functions.Mail;

namespace Pipeline.Functions.Tests.Mail;

/// <summary>The embedded outbox: real .eml files in a temp folder, read back by an independent MIME reader.</summary>
public sealed partial class OutboxMailerTests : IDisposable
{
    private const string ApproveLink = "http://127.0.0.1:7071/approvals/eyJhcHByb3ZhbCI6IjQyIiwic3RlcCI6MH0.c2lnbmF0dXJlLXRoYXQtaXMtcXVpdGUtbG9uZy1pbmRlZWQ";
    private const string DocumentLink = "http://127.0.0.1:7071/documents/7f3a9c?view=summary&lang=vi";

    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-outbox-").FullName;
    private string Outbox => Path.Combine(_dir, "outbox");

    public void Dispose() => PipelineApp.DeleteDirectory(_dir);

    [Fact]
    public async Task Vietnamese_mail_with_links_reads_back_exactly_from_one_eml_file()
    {
        var subject = "Xin ý kiến phê duyệt: Quyết định số 123/QĐ-UBND về việc ban hành quy chế làm việc của Ủy ban nhân dân tỉnh";
        var text = "Kính gửi đồng chí Nguyễn Văn An,\n\nVăn bản cần đồng chí cho ý kiến:\n"
                   + DocumentLink + "\n\nMở trang phê duyệt:\n" + ApproveLink + "\n\nTrân trọng.\n";
        var html = $"<p>Kính gửi đồng chí Nguyễn Văn An,</p><p><a href=\"{ApproveLink}\">Phê duyệt</a></p>";
        var mailer = new OutboxMailer(Outbox, "Văn phòng UBND <vanphong@ubnd.example.vn>");

        var sent = await mailer.SendAsync(new MailMessage("Nguyễn Văn An <an.nv@ubnd.example.vn>", subject, text, html,
            new Dictionary<string, string> { ["Auto-Submitted"] = "auto-generated", ["X-Pipeline-Document"] = "Quyết định 123" }));

        var file = Assert.Single(Directory.GetFiles(Outbox));
        Assert.Equal(file, sent.OutboxPath);
        Assert.Matches(@"^\d{8}T\d{9}Z-[0-9a-f]{32}\.eml$", Path.GetFileName(file));
        var bytes = await File.ReadAllBytesAsync(file);
        AssertWellFormedLines(bytes);

        var mail = EmlReader.Read(bytes);
        Assert.Equal(subject, mail.Header("Subject"));
        Assert.Equal("Nguyễn Văn An <an.nv@ubnd.example.vn>", mail.Header("To"));
        Assert.Equal("Văn phòng UBND <vanphong@ubnd.example.vn>", mail.Header("From"));
        Assert.Equal(sent.MessageId, mail.Header("Message-ID"));
        Assert.Matches(@"^<[0-9a-f]{32}@ubnd\.example\.vn>$", sent.MessageId);
        Assert.Equal("1.0", mail.Header("MIME-Version"));
        Assert.Equal("auto-generated", mail.Header("Auto-Submitted"));
        Assert.Equal("Quyết định 123", mail.Header("X-Pipeline-Document"));
        Assert.True(DateTimeOffset.TryParse(mail.Header("Date"), out var date));
        Assert.InRange(date, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));

        Assert.Equal(text.Replace("\n", "\r\n"), mail.Text);
        var lines = mail.Text.Split("\r\n");
        Assert.Contains(ApproveLink, lines);
        Assert.Contains(DocumentLink, lines);
        Assert.Equal(html, mail.Html);
    }

    [Fact]
    public async Task Mails_carry_live_links_so_only_the_app_s_user_can_read_them()
    {
        if (OperatingSystem.IsWindows()) return;
        var sent = await new OutboxMailer(Outbox).SendAsync(new MailMessage("a@example.vn", "Xin ý kiến", ApproveLink, $"<a href=\"{ApproveLink}\">x</a>"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(sent.OutboxPath!));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Outbox));
    }

    [Fact]
    public async Task Subject_is_rfc2047_encoded_and_folded_within_78_characters()
    {
        var subject = string.Concat(Enumerable.Repeat("Tờ trình về việc phê duyệt dự toán ngân sách năm 2027 — ", 4)).TrimEnd();
        var sent = await new OutboxMailer(Outbox).SendAsync(new MailMessage("a@example.vn", subject, "x", "<p>x</p>"));

        var raw = Encoding.ASCII.GetString(await File.ReadAllBytesAsync(sent.OutboxPath!));
        var header = raw[..raw.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        var subjectLines = SubjectLines().Match(header).Value.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.True(subjectLines.Length > 3);
        Assert.All(subjectLines, l => Assert.InRange(l.Length, 1, 78));
        Assert.All(subjectLines, l => Assert.Matches(@"^(Subject:)?( =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=)+$", l));
        Assert.Equal(subject, EmlReader.Read(Encoding.ASCII.GetBytes(raw)).Header("Subject"));
    }

    [Fact]
    public async Task Plain_ascii_subject_stays_readable()
    {
        var sent = await new OutboxMailer(Outbox).SendAsync(new MailMessage("a@example.vn", "Approval needed: 123/QD-UBND", "x", "x"));
        var raw = await File.ReadAllTextAsync(sent.OutboxPath!);
        Assert.Contains("\r\nSubject: Approval needed: 123/QD-UBND\r\n", raw);
        Assert.Contains("\r\nFrom: Pipeline <pipeline@localhost>\r\n", raw);
        Assert.Contains("\r\nTo: a@example.vn\r\n", raw);
    }

    [Theory]
    [InlineData("a@example.vn\r\nBcc: spy@example.com", "Subject", null)]
    [InlineData("a@example.vn", "Hello\r\nBcc: spy@example.com", null)]
    [InlineData("a@example.vn", "Hello\nX-Injected: 1", null)]
    [InlineData("a@example.vn", "Hello\rX-Injected: 1", null)]
    [InlineData("a@example.vn", "Hello", "value\r\nBcc: spy@example.com")]
    [InlineData("a@example.vn", "Hello", "value\nBcc: spy@example.com")]
    [InlineData("a@example.vn", "Hello\u2028there", null)]
    [InlineData("a@example.vn, spy@example.com", "Hello", null)]
    [InlineData("", "Hello", null)]
    public async Task Line_breaks_in_headers_are_refused_and_nothing_is_written(string to, string subject, string? headerValue)
    {
        var headers = headerValue is null ? null : new Dictionary<string, string> { ["X-Note"] = headerValue };
        var mailer = new OutboxMailer(Outbox);

        await Assert.ThrowsAsync<ArgumentException>(() => mailer.SendAsync(new MailMessage(to, subject, "x", "x", headers)));

        Assert.False(Directory.Exists(Outbox) && Directory.EnumerateFileSystemEntries(Outbox).Any());
    }

    [Theory]
    [InlineData("Bcc")]
    [InlineData("subject")]
    [InlineData("Content-Type")]
    [InlineData("Message-ID")]
    [InlineData("X-Bad Name")]
    [InlineData("X-Bad:Name")]
    [InlineData("X-Bad\r\nName")]
    public async Task Headers_the_mailer_owns_or_malformed_names_are_refused(string name)
    {
        var mailer = new OutboxMailer(Outbox);
        await Assert.ThrowsAsync<ArgumentException>(() => mailer.SendAsync(
            new MailMessage("a@example.vn", "Hello", "x", "x", new Dictionary<string, string> { [name] = "v" })));
        Assert.False(Directory.Exists(Outbox));
    }

    [Fact]
    public async Task Concurrent_sends_give_distinct_complete_files()
    {
        var mailer = new OutboxMailer(Outbox);
        var sent = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
            mailer.SendAsync(new MailMessage($"user{i}@example.vn", $"Thư số {i}", $"Liên kết:\n{ApproveLink}/{i}\n", $"<p>{i}</p>")))));

        var files = Directory.GetFiles(Outbox);
        Assert.Equal(64, files.Length);
        Assert.All(files, f => Assert.EndsWith(".eml", f));
        Assert.Equal(64, sent.Select(s => s.MessageId).Distinct().Count());
        Assert.Equal(files.Order(), sent.Select(s => s.OutboxPath!).Order());
        foreach (var (s, i) in sent.Select((s, i) => (s, i)))
        {
            var mail = EmlReader.Read(await File.ReadAllBytesAsync(s.OutboxPath!));
            Assert.Equal($"Thư số {i}", mail.Header("Subject"));
            Assert.Equal($"user{i}@example.vn", mail.Header("To"));
            Assert.Contains($"{ApproveLink}/{i}", mail.Text.Split("\r\n"));
        }
    }

    [Fact]
    public async Task A_keyed_mail_sent_again_after_a_crash_is_the_same_file_not_a_second_mail()
    {
        var mailer = new OutboxMailer(Outbox);
        var queued = new DateTimeOffset(2026, 11, 23, 1, 2, 3, 456, TimeSpan.Zero);
        var message = new MailMessage("a@x.vn", "Xin ý kiến", "text " + ApproveLink, "<p>html</p>", Key: "i-AbC_12-x", Queued: queued);

        var first = await mailer.SendAsync(message);
        var retries = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => mailer.SendAsync(message)));

        var file = Assert.Single(Directory.GetFiles(Outbox));
        Assert.Equal("20261123T010203456Z-i-AbC_12-x.eml", Path.GetFileName(file));
        Assert.All(retries, r => Assert.Equal(first, r));
        Assert.Empty(Directory.GetFiles(Outbox, "*.tmp", SearchOption.AllDirectories).Concat(Directory.GetFiles(Outbox, ".*")));
        var mail = EmlReader.Read(await File.ReadAllBytesAsync(file));
        Assert.StartsWith("<i-AbC_12-x@", mail.Header("Message-ID"));
        await Assert.ThrowsAsync<ArgumentException>(() => mailer.SendAsync(message with { Key = "bad key/../x" }));
    }

    [Fact]
    public async Task File_names_sort_in_sending_order()
    {
        var time = new SteppingClock(new DateTimeOffset(2026, 11, 22, 20, 45, 1, 123, TimeSpan.Zero));
        var mailer = new OutboxMailer(Outbox, time: time);
        var first = await mailer.SendAsync(new MailMessage("a@example.vn", "1", "x", "x"));
        var second = await mailer.SendAsync(new MailMessage("a@example.vn", "2", "x", "x"));

        Assert.StartsWith("20261122T204501123Z-", Path.GetFileName(first.OutboxPath));
        Assert.Equal([first.OutboxPath!, second.OutboxPath!], Directory.GetFiles(Outbox).Order(StringComparer.Ordinal));
        Assert.StartsWith("Date: Sun, 22 Nov 2026 20:45:01 +0000\r\n", await File.ReadAllTextAsync(first.OutboxPath!));
    }

    [Fact]
    public void Without_smtp_host_mail_goes_to_the_outbox_under_the_data_directory()
    {
        using var provider = new ServiceCollection()
            .AddMail(new ConfigurationBuilder().Build(), _dir)
            .BuildServiceProvider();
        var mailer = Assert.IsType<OutboxMailer>(provider.GetRequiredService<IMailer>());
        Assert.Equal(Outbox, mailer.OutboxDirectory);
    }

    [Fact]
    public void With_smtp_host_configured_mail_goes_over_smtp()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "127.0.0.1", ["Smtp:Port"] = "2525", ["Smtp:From"] = "Văn thư <vanthu@example.vn>",
        }).Build();
        using var provider = new ServiceCollection().AddMail(configuration, _dir).BuildServiceProvider();

        Assert.IsType<SmtpMailer>(provider.GetRequiredService<IMailer>());
        var settings = provider.GetRequiredService<MailSettings>();
        Assert.Equal(("127.0.0.1", 2525, "Văn thư <vanthu@example.vn>"), (settings.Host, settings.Port, settings.From));
    }

    [Theory]
    [InlineData("Smtp:Port", "seventy")]
    [InlineData("Smtp:Port", "70000")]
    [InlineData("Smtp:EnableSsl", "maybe")]
    [InlineData("Smtp:From", "not an address")]
    public void Malformed_smtp_settings_fail_at_startup(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "127.0.0.1", [key] = value,
        }).Build();
        var e = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddMail(configuration, _dir));
        Assert.Contains(key, e.Message);
    }

    /// <summary>Every line ends in CRLF, is ASCII and at most 78 characters (RFC 5322 §2.1.1).</summary>
    private static void AssertWellFormedLines(byte[] bytes)
    {
        Assert.All(bytes, b => Assert.InRange(b, (byte)1, (byte)127));
        var raw = Encoding.ASCII.GetString(bytes);
        Assert.EndsWith("\r\n", raw);
        Assert.DoesNotMatch(@"[^\r]\n|\r[^\n]", raw);
        Assert.All(raw.Split("\r\n"), line => Assert.True(line.Length <= 78, $"Line longer than 78: {line}"));
    }

    [GeneratedRegex(@"(?<=\r\n|^)Subject:[^\r\n]*(\r\n[ \t][^\r\n]*)*")]
    private static partial Regex SubjectLines();

    private sealed class SteppingClock(DateTimeOffset start) : TimeProvider
    {
        private int _calls;
        public override DateTimeOffset GetUtcNow() => start.AddMilliseconds(Interlocked.Increment(ref _calls) - 1);
    }
}
