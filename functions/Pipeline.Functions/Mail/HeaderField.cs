using System.Globalization;
using System.Text;
using MailAddress = System.Net.Mail.MailAddress;

namespace Pipeline.Functions.Mail;

/// <summary>
/// Writes one header field the way RFC 5322 and RFC 2047 want it: plain ASCII text as it is, anything else as
/// <c>=?UTF-8?B?…?=</c> encoded-words; folded with CRLF + space so lines stay within 78 characters (a single
/// over-long plain word is left whole). Values must already have passed <see cref="MailHeaderRules"/>.
/// </summary>
internal static class HeaderField
{
    /// <summary>The line length RFC 5322 asks for (the hard limit is 998).</summary>
    public const int LineLimit = 78;

    private const int MaxEncodedWord = 75;
    private const string WordStart = "=?UTF-8?B?";
    private const string WordEnd = "?=";
    private const string AtomSpecials = "!#$%&'*+-/=?^_`{|}~";

    /// <summary>An unstructured field (Subject, X-…): <c>Name: value</c>, folded, without the final CRLF.</summary>
    public static string Unstructured(string name, string value)
    {
        var line = new FoldedLine(name);
        if (IsPlainText(value))
        {
            foreach (var word in value.Split(' ')) line.Add(word);
        }
        else
        {
            line.AddEncoded(value);
        }
        return line.ToString();
    }

    /// <summary>An address field (From, To): <c>Name: display name &lt;addr&gt;</c>, folded, without the final CRLF.</summary>
    public static string Address(string name, MailAddress address)
    {
        var line = new FoldedLine(name);
        var display = address.DisplayName.Trim();
        if (display.Length == 0)
        {
            line.Add(address.Address);
            return line.ToString();
        }
        if (display.Split(' ').All(w => w.Length is > 0 and <= LineLimit - 2 && w.All(IsAtomChar)))
        {
            foreach (var word in display.Split(' ')) line.Add(word);
        }
        else if (display.All(c => c is >= ' ' and <= '~') && display.Length <= LineLimit - 4)
        {
            line.Add("\"" + display.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"");
        }
        else
        {
            line.AddEncoded(display);
        }
        line.Add("<" + address.Address + ">");
        return line.ToString();
    }

    /// <summary>
    /// Printable ASCII words with single spaces between them, none of which looks like an encoded-word and each of
    /// which fits on a continuation line: such text needs no encoding and folds at its spaces.
    /// </summary>
    private static bool IsPlainText(string value) =>
        value.Length > 0
        && value.All(c => c is >= ' ' and <= '~')
        && !value.Contains("=?", StringComparison.Ordinal)
        && value.Split(' ').All(w => w.Length is > 0 and <= LineLimit - 2);

    private static bool IsAtomChar(char c) => char.IsAsciiLetterOrDigit(c) || AtomSpecials.Contains(c);

    /// <summary>A header field built atom by atom, folding before an atom that would overflow the line.</summary>
    private sealed class FoldedLine(string name)
    {
        private readonly StringBuilder _text = new StringBuilder(name).Append(':');
        private int _lineLength = name.Length + 1;
        private bool _empty = true;

        public void Add(string atom)
        {
            // The first atom stays on the name's line even when long: "Subject:" followed by a fold reads badly.
            if (!_empty && _lineLength + 1 + atom.Length > LineLimit) Fold();
            _text.Append(' ').Append(atom);
            _lineLength += 1 + atom.Length;
            _empty = false;
        }

        /// <summary>
        /// Adds <paramref name="value"/> as encoded-words, each filling what is left of its line. Words split between
        /// text elements, never inside one, so a Vietnamese letter and its combining marks stay in one word.
        /// </summary>
        public void AddEncoded(string value)
        {
            var elements = new List<string>();
            var enumerator = StringInfo.GetTextElementEnumerator(value);
            while (enumerator.MoveNext()) elements.Add(enumerator.GetTextElement());

            var i = 0;
            while (i < elements.Count)
            {
                var room = Math.Min(MaxEncodedWord, LineLimit - _lineLength - 1);
                var maxBytes = (room - WordStart.Length - WordEnd.Length) / 4 * 3;
                if (maxBytes < Encoding.UTF8.GetByteCount(elements[i]) && _lineLength > 0)
                {
                    Fold();
                    continue;
                }
                var bytes = 0;
                var end = i;
                do
                {
                    bytes += Encoding.UTF8.GetByteCount(elements[end]);
                    end++;
                } while (end < elements.Count && bytes + Encoding.UTF8.GetByteCount(elements[end]) <= maxBytes);
                var chunk = string.Concat(elements.Skip(i).Take(end - i));
                var word = WordStart + Convert.ToBase64String(Encoding.UTF8.GetBytes(chunk)) + WordEnd;
                _text.Append(' ').Append(word);
                _lineLength += 1 + word.Length;
                _empty = false;
                i = end;
            }
        }

        private void Fold()
        {
            _text.Append("\r\n");
            _lineLength = 0;
        }

        public override string ToString() => _text.ToString();
    }
}
