namespace Pipeline.Functions.Mail;

/// <summary>
/// One mail to one recipient, written by the caller in two forms: <paramref name="TextBody"/> (text/plain; put every
/// link on its own line — mailers keep lines intact, so a link can be copied whole from any mail reader) and
/// <paramref name="HtmlBody"/> (text/html, the same content).
/// </summary>
/// <remarks>
/// There are deliberately no attachments: secret documents must never ride in an email (Law 117/2025/QH15), so a mail
/// only ever links to the document in the app, where access is checked and logged.
/// </remarks>
/// <param name="To">One address, optionally with a display name: <c>a@x.vn</c> or <c>Nguyễn Văn A &lt;a@x.vn&gt;</c>.
/// The address itself must be ASCII.</param>
/// <param name="Subject">Any Unicode text on one line; encoded per RFC 2047 when it is not plain ASCII.</param>
/// <param name="TextBody">The text/plain part. Line ends may be LF or CRLF; they are sent as CRLF.</param>
/// <param name="HtmlBody">The text/html part.</param>
/// <param name="Headers">Extra header fields (e.g. <c>Auto-Submitted: auto-generated</c>). Values are one line each;
/// names must not be ones the mailer sets (<see cref="MailHeaderRules.Reserved"/>).</param>
/// <param name="Key">
/// A stable id for this one mail (1 to 64 of <c>A-Z a-z 0-9 _ -</c>), for callers that must send it at most once
/// although they may be retried after a crash: it becomes the Message-ID's unique part, and with
/// <paramref name="Queued"/> the outbox file name, so the outbox writes a mail with the same key and time once only
/// and answers later sends with the file already there. Over SMTP the mail goes again, with the same Message-ID,
/// which receiving systems use to drop the copy. Null: a fresh id per send.
/// </param>
/// <param name="Queued">When the caller decided to send the mail (the Date header and the outbox file's timestamp); null: now.</param>
public sealed record MailMessage(
    string To,
    string Subject,
    string TextBody,
    string HtmlBody,
    IReadOnlyDictionary<string, string>? Headers = null,
    string? Key = null,
    DateTimeOffset? Queued = null);
