namespace Pipeline.Functions.Mail;

/// <summary>What a mailer did with one message.</summary>
/// <param name="MessageId">The Message-ID header the mail carries, with its angle brackets
/// (<c>&lt;…@host&gt;</c>); unique per send.</param>
/// <param name="OutboxPath">The complete <c>.eml</c> file, when the mail went to the outbox; null when sent over SMTP.</param>
public sealed record SentMail(string MessageId, string? OutboxPath);
