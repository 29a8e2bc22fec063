using System.Text;
using System.Text.RegularExpressions;

namespace Pipeline.Functions.Tests.Mail;

/// <summary>
/// A small, independent reader of the mail the outbox writes: unfolds headers, decodes RFC 2047 encoded-words (B and Q)
/// and the parts of a multipart/alternative body (base64 or quoted-printable). Written from the RFCs, not from the
/// mailer's code, so the tests check the file against the standard rather than against itself. Other tests can use it
/// to find the links in an outbox mail.
/// </summary>
public sealed partial class EmlReader
{
    private EmlReader(IReadOnlyList<(string Name, string Value)> rawHeaders, string text, string html)
    {
        RawHeaders = rawHeaders;
        Text = text;
        Html = html;
    }

    /// <summary>Header fields in order, unfolded but not decoded.</summary>
    public IReadOnlyList<(string Name, string Value)> RawHeaders { get; }

    /// <summary>The decoded text/plain part.</summary>
    public string Text { get; }

    /// <summary>The decoded text/html part.</summary>
    public string Html { get; }

    /// <summary>The decoded value of the first header named <paramref name="name"/>, or null.</summary>
    public string? Header(string name)
    {
        foreach (var (n, v) in RawHeaders)
        {
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) return DecodeWords(v);
        }
        return null;
    }

    /// <summary>Reads an .eml file; throws when its structure is not what RFC 5322 / 2045 / 2046 allow here.</summary>
    public static EmlReader Read(byte[] bytes)
    {
        var all = Encoding.UTF8.GetString(bytes);
        var split = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (split < 0) throw new FormatException("No blank line after the header block.");
        var headers = ParseHeaders(all[..split]);
        var body = all[(split + 4)..];

        var contentType = Find(headers, "Content-Type") ?? throw new FormatException("No Content-Type.");
        if (!contentType.StartsWith("multipart/alternative", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException($"Content-Type is {contentType}.");
        }
        var boundary = BoundaryPattern().Match(contentType) is { Success: true } m
            ? m.Groups[1].Value.Length > 0 ? m.Groups[1].Value : m.Groups[2].Value
            : throw new FormatException("No boundary.");

        string? text = null, html = null;
        var delimiter = "\r\n--" + boundary;
        var pieces = ("\r\n" + body).Split(delimiter);
        if (!pieces[^1].StartsWith("--", StringComparison.Ordinal)) throw new FormatException("No closing boundary.");
        foreach (var piece in pieces.Skip(1).SkipLast(1))
        {
            var partStart = piece.IndexOf("\r\n", StringComparison.Ordinal) + 2;
            var partSplit = piece.IndexOf("\r\n\r\n", partStart - 2, StringComparison.Ordinal);
            var partHeaders = partSplit == partStart - 2 ? [] : ParseHeaders(piece[partStart..partSplit]);
            var content = piece[(partSplit + 4)..];
            var type = Find(partHeaders, "Content-Type") ?? "text/plain";
            var encoding = (Find(partHeaders, "Content-Transfer-Encoding") ?? "7bit").Trim().ToLowerInvariant();
            if (!type.Contains("charset=utf-8", StringComparison.OrdinalIgnoreCase)) throw new FormatException($"Part is {type}.");
            var decoded = encoding switch
            {
                "base64" => Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(content.Where(c => !char.IsWhiteSpace(c))))),
                "quoted-printable" => DecodeQuotedPrintable(content),
                _ => throw new FormatException($"Transfer encoding {encoding}."),
            };
            if (type.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase)) text = decoded;
            else if (type.StartsWith("text/html", StringComparison.OrdinalIgnoreCase)) html = decoded;
        }
        return new EmlReader(headers, text ?? throw new FormatException("No text/plain part."),
            html ?? throw new FormatException("No text/html part."));
    }

    /// <summary>Decodes the RFC 2047 encoded-words in an unstructured value; whitespace between two words is dropped.</summary>
    public static string DecodeWords(string value)
    {
        var decoded = EncodedWordPattern().Replace(value, m =>
        {
            if (!m.Groups[1].Value.Equals("UTF-8", StringComparison.OrdinalIgnoreCase)) throw new FormatException("Charset " + m.Groups[1].Value);
            var payload = m.Groups[3].Value;
            var bytes = m.Groups[2].Value.ToUpperInvariant() == "B"
                ? Convert.FromBase64String(payload)
                : QBytes(payload);
            return "\u0001" + Encoding.UTF8.GetString(bytes) + "\u0002";
        });
        // Whitespace between two adjacent encoded-words is not part of the text (RFC 2047 §6.2).
        return WordGapPattern().Replace(decoded, "").Replace("\u0001", "").Replace("\u0002", "");
    }

    private static byte[] QBytes(string payload)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < payload.Length; i++)
        {
            if (payload[i] == '_') bytes.Add((byte)' ');
            else if (payload[i] == '=') { bytes.Add(Convert.ToByte(payload.Substring(i + 1, 2), 16)); i += 2; }
            else bytes.Add((byte)payload[i]);
        }
        return bytes.ToArray();
    }

    private static string DecodeQuotedPrintable(string content)
    {
        var bytes = new List<byte>();
        var lines = content.Split("\r\n");
        for (var l = 0; l < lines.Length; l++)
        {
            var line = lines[l].TrimEnd(' ', '\t');
            var soft = line.EndsWith('=');
            if (soft) line = line[..^1];
            for (var i = 0; i < line.Length; i++)
            {
                if (line[i] == '=') { bytes.Add(Convert.ToByte(line.Substring(i + 1, 2), 16)); i += 2; }
                else bytes.Add((byte)line[i]);
            }
            if (!soft && l < lines.Length - 1) { bytes.Add((byte)'\r'); bytes.Add((byte)'\n'); }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static List<(string, string)> ParseHeaders(string block)
    {
        var headers = new List<(string, string)>();
        foreach (var line in block.Split("\r\n"))
        {
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t'))
            {
                if (headers.Count == 0) throw new FormatException("Header block starts with a continuation line.");
                var (n, v) = headers[^1];
                headers[^1] = (n, v + line); // unfolding removes the CRLF, keeps the whitespace
                continue;
            }
            var colon = line.IndexOf(':');
            if (colon <= 0) throw new FormatException($"Not a header line: '{line}'.");
            headers.Add((line[..colon], line[(colon + 1)..].TrimStart(' ', '\t')));
        }
        return headers;
    }

    private static string? Find(IEnumerable<(string Name, string Value)> headers, string name) =>
        headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    [GeneratedRegex("""boundary=(?:"([^"]+)"|([^;\s]+))""", RegexOptions.IgnoreCase)]
    private static partial Regex BoundaryPattern();

    [GeneratedRegex(@"=\?([^?]+)\?([BbQq])\?([^?]*)\?=")]
    private static partial Regex EncodedWordPattern();

    [GeneratedRegex("\u0002[ \t]+\u0001")]
    private static partial Regex WordGapPattern();
}
