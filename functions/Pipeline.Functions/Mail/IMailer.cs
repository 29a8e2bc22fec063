namespace Pipeline.Functions.Mail;

/// <summary>
/// Sends one mail to one recipient: approval and meeting links, reminders. The embedded default writes
/// <c>.eml</c> files to an outbox folder (<see cref="OutboxMailer"/>); with an SMTP host configured it goes out over
/// SMTP (<see cref="SmtpMailer"/>). Register with <see cref="MailFeature.AddMail"/>.
/// </summary>
/// <remarks>
/// There is no way to attach a file. Secret documents (Mật, Tối mật, Tuyệt mật) must never leave the network inside
/// an email, and a mail carries only a link to the document in the app, where access is checked and logged.
/// </remarks>
public interface IMailer
{
    /// <summary>
    /// Sends <paramref name="message"/>. When the task completes the mail has been handed over: the outbox file is
    /// complete and in place, or the SMTP server accepted it. Sending the same message twice sends two mails (each
    /// with its own Message-ID); callers that must send at most once record the returned Message-ID.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The recipient is not one plain address, or a header name or value would break the header block (CR, LF or
    /// another control character; a header this mailer sets itself). Nothing is sent.
    /// </exception>
    Task<SentMail> SendAsync(MailMessage message, CancellationToken ct = default);
}
