using System.Net;
using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NetMailMessage = System.Net.Mail.MailMessage;

namespace Pipeline.Functions.Mail;

/// <summary>
/// Scale-out: sends each mail over SMTP (System.Net.Mail) to <see cref="MailSettings.Host"/>. Same shape as the
/// outbox files: multipart/alternative with a text/plain and a text/html part in UTF-8 base64, UTF-8 subject, and a
/// Message-ID chosen here (returned in <see cref="SentMail.MessageId"/>, so a sent mail can be found again).
/// </summary>
/// <remarks>One SMTP connection per mail (SmtpClient cannot send two at once), so concurrent sends are safe.</remarks>
public sealed class SmtpMailer : IMailer
{
    private readonly MailSettings _settings;
    private readonly MailAddress _from;
    private readonly ILogger<SmtpMailer> _logger;

    /// <param name="settings">Server, credentials and From; <see cref="MailSettings.Host"/> must be set.</param>
    /// <param name="logger">Logs each mail handed over (Message-ID and server, not the recipient).</param>
    public SmtpMailer(MailSettings settings, ILogger<SmtpMailer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.UsesSmtp) throw new ArgumentException("MailSettings.Host is required for SMTP.", nameof(settings));
        _settings = settings;
        _from = MailHeaderRules.ParseAddress(settings.From, "From");
        _logger = logger ?? NullLogger<SmtpMailer>.Instance;
    }

    /// <inheritdoc />
    /// <exception cref="SmtpException">The server could not be reached or refused the mail.</exception>
    public async Task<SentMail> SendAsync(MailMessage message, CancellationToken ct = default)
    {
        var to = MailHeaderRules.Check(message);
        var messageId = $"<{message.Key ?? Guid.NewGuid().ToString("N")}@{_from.Host}>";

        using var mail = new NetMailMessage
        {
            From = _from,
            Subject = message.Subject,
            SubjectEncoding = Encoding.UTF8,
            HeadersEncoding = Encoding.UTF8,
            BodyEncoding = Encoding.UTF8,
        };
        mail.To.Add(to);
        mail.Headers.Add("Message-ID", messageId);
        foreach (var (name, value) in message.Headers ?? new Dictionary<string, string>())
        {
            mail.Headers.Add(name, value);
        }
        // No Body and two alternate views: System.Net.Mail writes multipart/alternative, text first.
        mail.AlternateViews.Add(View(message.TextBody, MediaTypeNames.Text.Plain));
        mail.AlternateViews.Add(View(message.HtmlBody, MediaTypeNames.Text.Html));

        using var client = new SmtpClient(_settings.Host, _settings.Port)
        {
            EnableSsl = _settings.EnableSsl,
            DeliveryMethod = SmtpDeliveryMethod.Network,
        };
        if (_settings.User is not null)
        {
            client.Credentials = new NetworkCredential(_settings.User, _settings.Password);
        }
        await client.SendMailAsync(mail, ct);
        _logger.LogInformation("Mail {MessageId} sent to SMTP {Host}:{Port}", messageId, _settings.Host, _settings.Port);
        return new SentMail(messageId, OutboxPath: null);
    }

    private static AlternateView View(string body, string mediaType)
    {
        var view = AlternateView.CreateAlternateViewFromString(EmlFile.WithCrlf(body), Encoding.UTF8, mediaType);
        view.TransferEncoding = TransferEncoding.Base64;
        return view;
    }
}
