using System.Globalization;
using System.Text;
using MailAddress = System.Net.Mail.MailAddress;

namespace Pipeline.Functions.Mail;

/// <summary>
/// The bytes of one RFC 5322 / MIME message: the header block, then a multipart/alternative body with a text/plain
/// and a text/html part, each UTF-8 in base64 (so every line of the caller's text comes back exactly, links whole).
/// All line ends are CRLF; no line is longer than 78 characters except a single over-long plain header word.
/// </summary>
internal static class EmlFile
{
    private const int Base64LineLength = 76;

    /// <summary>Composes the message. <paramref name="message"/> must have passed <see cref="MailHeaderRules.Check"/>.</summary>
    public static byte[] Compose(MailMessage message, MailAddress from, MailAddress to, string messageId, DateTimeOffset date)
    {
        var boundary = "=_pipeline_" + Guid.NewGuid().ToString("N");
        var mail = new StringBuilder();
        Line(mail, "Date: " + FormatDate(date));
        Line(mail, HeaderField.Address("From", from));
        Line(mail, HeaderField.Address("To", to));
        Line(mail, HeaderField.Unstructured("Subject", message.Subject));
        Line(mail, "Message-ID: " + messageId);
        Line(mail, "MIME-Version: 1.0");
        foreach (var (name, value) in message.Headers ?? new Dictionary<string, string>())
        {
            Line(mail, HeaderField.Unstructured(name, value));
        }
        Line(mail, $"Content-Type: multipart/alternative;\r\n boundary=\"{boundary}\"");
        Line(mail, "");
        Line(mail, "This is a multi-part message in MIME format.");
        Part(mail, boundary, "text/plain", message.TextBody);
        Part(mail, boundary, "text/html", message.HtmlBody);
        Line(mail, "--" + boundary + "--");
        // Every character is ASCII by now: non-ASCII text is inside encoded-words and base64.
        return Encoding.ASCII.GetBytes(mail.ToString());
    }

    /// <summary>RFC 5322 date-time in UTC: <c>Sun, 22 Nov 2026 20:45:01 +0000</c>.</summary>
    public static string FormatDate(DateTimeOffset date) =>
        date.ToUniversalTime().ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);

    /// <summary>The caller's text with every line end (LF, CR or CRLF) made CRLF, as MIME text requires.</summary>
    public static string WithCrlf(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Replace("\n", "\r\n", StringComparison.Ordinal);

    private static void Part(StringBuilder mail, string boundary, string mediaType, string body)
    {
        Line(mail, "--" + boundary);
        Line(mail, $"Content-Type: {mediaType}; charset=utf-8");
        Line(mail, "Content-Transfer-Encoding: base64");
        Line(mail, "");
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(WithCrlf(body)));
        for (var i = 0; i < base64.Length; i += Base64LineLength)
        {
            Line(mail, base64.Substring(i, Math.Min(Base64LineLength, base64.Length - i)));
        }
    }

    private static void Line(StringBuilder mail, string line) => mail.Append(line).Append("\r\n");
}
