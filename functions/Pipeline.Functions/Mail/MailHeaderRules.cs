using System.Text;
using MailAddress = System.Net.Mail.MailAddress;
using MailAddressCollection = System.Net.Mail.MailAddressCollection;

namespace Pipeline.Functions.Mail;

/// <summary>
/// What a <see cref="MailMessage"/> may put in the header block. Both mailers check every message with these rules
/// before anything is written or sent, so no caller input can end a header line early and inject another header
/// (a <c>Bcc:</c>, say) or start the body.
/// </summary>
public static class MailHeaderRules
{
    /// <summary>
    /// Header names the mailers set themselves, refused in <see cref="MailMessage.Headers"/> (compared ignoring case;
    /// any <c>Content-*</c> name is refused too). Cc and Bcc are here because a mail has exactly one recipient.
    /// </summary>
    public static IReadOnlySet<string> Reserved { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Date", "From", "Sender", "To", "Cc", "Bcc", "Subject", "Message-ID", "MIME-Version",
    };

    /// <summary>
    /// Checks <paramref name="message"/> and returns its recipient, parsed.
    /// </summary>
    /// <exception cref="ArgumentException">The message breaks a rule; the message says which.</exception>
    internal static MailAddress Check(MailMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(message.TextBody, nameof(message.TextBody));
        ArgumentNullException.ThrowIfNull(message.HtmlBody, nameof(message.HtmlBody));
        RequireOneLine(message.Subject, "Subject");
        var to = ParseAddress(message.To, "To");
        foreach (var (name, value) in message.Headers ?? new Dictionary<string, string>())
        {
            if (string.IsNullOrEmpty(name) || !name.All(c => c is > ' ' and <= '~' and not ':'))
            {
                throw new ArgumentException(
                    $"Header name '{name}' is not a header field name (printable ASCII, no colon, no spaces).", nameof(message));
            }
            if (Reserved.Contains(name) || name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Header '{name}' is set by the mailer and cannot be given.", nameof(message));
            }
            RequireOneLine(value, name);
        }
        if (message.Key is { } key && (key.Length is 0 or > 64 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')))
        {
            throw new ArgumentException($"Mail key '{key}' must be 1 to 64 of A-Z a-z 0-9 _ -.", nameof(message));
        }
        return to;
    }

    /// <summary>
    /// Parses one address (with an optional display name). Its local part and domain must be ASCII: the outbox file
    /// and SMTP are both written without the SMTPUTF8 extension.
    /// </summary>
    internal static MailAddress ParseAddress(string? value, string field)
    {
        RequireOneLine(value, field);
        // MailAddress alone takes the first of "a@x, b@y" and quietly drops the rest; the collection shows them all.
        var addresses = new MailAddressCollection();
        try
        {
            addresses.Add(value!.Trim());
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"{field} '{value}' is not an email address: {e.Message}", field, e);
        }
        if (addresses.Count != 1)
        {
            throw new ArgumentException($"{field} '{value}' must be exactly one address, not {addresses.Count}.", field);
        }
        var address = addresses[0];
        if (!Ascii.IsValid(address.Address) || address.Address.Any(char.IsControl))
        {
            throw new ArgumentException($"{field} address '{address.Address}' must be ASCII.", field);
        }
        return address;
    }

    private static void RequireOneLine(string? value, string field)
    {
        if (value is null) throw new ArgumentNullException(field, $"{field} is required.");
        foreach (var c in value)
        {
            // CR and LF end a header line; the other controls (NUL, NEL, the Unicode line separators) have no place in
            // one and some software treats them as line ends too. Tab is folding whitespace and allowed.
            if ((char.IsControl(c) && c != '\t') || c is '\u2028' or '\u2029')
            {
                throw new ArgumentException(
                    $"{field} contains a line break or control character (U+{(int)c:X4}); header values are one line.", field);
            }
        }
    }
}
