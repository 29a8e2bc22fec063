using System.Globalization;
using System.Text;

namespace Pipeline.Functions.Meetings;

/// <summary>An indirect reference "n g R".</summary>
internal readonly record struct PdfRef(int Number, int Generation);

/// <summary>A stream object: its dictionary, and where its data starts in the bytes it was parsed from.</summary>
internal sealed record PdfStreamHead(Dictionary<string, object?> Dictionary, int DataStart);

/// <summary>
/// Just enough of PDF's object syntax (ISO 32000-1 §7.2–7.3) to read a page tree: numbers (long or double), names
/// (string with the slash), dictionaries, arrays, references, booleans, null; strings are skipped over and given as
/// an empty byte array. Runs out of input → <see cref="EndOfStreamException"/>, so the caller can read more and retry.
/// </summary>
internal ref struct PdfObjectParser(ReadOnlySpan<byte> data, int position = 0)
{
    private readonly ReadOnlySpan<byte> _data = data;

    /// <summary>Where parsing has got to.</summary>
    public int Position { get; private set; } = position;

    /// <summary>Parses "n g obj" and the object after it (a stream's head when it is a stream).</summary>
    public object? IndirectObject()
    {
        if (Next() is not long || Next() is not long || Next() is not Keyword { Text: "obj" }) throw new FormatException("Not an object header.");
        var value = Value();
        if (value is Dictionary<string, object?> dictionary && Peek() is Keyword { Text: "stream" })
        {
            Next();
            // The keyword is followed by CRLF or LF (a lone CR is tolerated: some writers emit it).
            if (Position < _data.Length && _data[Position] == '\r') Position++;
            if (Position < _data.Length && _data[Position] == '\n') Position++;
            return new PdfStreamHead(dictionary, Position);
        }
        return value;
    }

    /// <summary>Parses one object (a reference "n g R" counts as one).</summary>
    public object? Value()
    {
        var token = Next();
        switch (token)
        {
            case long number:
                var save = Position;
                if (Next() is long generation && Next() is Keyword { Text: "R" })
                    return new PdfRef(checked((int)number), checked((int)generation));
                Position = save;
                return number;
            case Delimiter { Text: "<<" }:
                var dictionary = new Dictionary<string, object?>(StringComparer.Ordinal);
                while (Peek() is not Delimiter { Text: ">>" })
                {
                    if (Next() is not Name key) throw new FormatException("A dictionary key must be a name.");
                    dictionary[key.Text] = Value();
                }
                Next();
                return dictionary;
            case Delimiter { Text: "[" }:
                var array = new List<object?>();
                while (Peek() is not Delimiter { Text: "]" }) array.Add(Value());
                Next();
                return array;
            case Name name: return name.Text;
            case Keyword { Text: "true" }: return true;
            case Keyword { Text: "false" }: return false;
            case Keyword { Text: "null" }: return null;
            case double or byte[]: return token;
            default: throw new FormatException($"Unexpected {token} at {Position}.");
        }
    }

    /// <summary>Parses the keyword at the current position (e.g. "xref", "trailer") without consuming anything else.</summary>
    public string? KeywordAt()
    {
        var save = Position;
        if (Next() is Keyword keyword) return keyword.Text;
        Position = save;
        return null;
    }

    /// <summary>The next integer (xref table entries and object stream headers are plain integers).</summary>
    public long Integer() => Next() is long n ? n : throw new FormatException("Expected an integer.");

    private sealed record Keyword(string Text);
    private sealed record Name(string Text);
    private sealed record Delimiter(string Text);

    private object Peek()
    {
        var save = Position;
        var token = Next();
        Position = save;
        return token;
    }

    private object Next()
    {
        SkipWhitespaceAndComments();
        if (Position >= _data.Length) throw new EndOfStreamException();
        var c = _data[Position];
        switch (c)
        {
            case (byte)'[' or (byte)']':
                Position++;
                return new Delimiter(((char)c).ToString());
            case (byte)'<' when At(Position + 1) == '<':
                Position += 2;
                return new Delimiter("<<");
            case (byte)'>' when At(Position + 1) == '>':
                Position += 2;
                return new Delimiter(">>");
            case (byte)'<':
                var close = _data[Position..].IndexOf((byte)'>');
                if (close < 0) throw new EndOfStreamException();
                Position += close + 1;
                return Array.Empty<byte>();
            case (byte)'(':
                SkipLiteralString();
                return Array.Empty<byte>();
            case (byte)'/':
                var start = ++Position;
                while (Position < _data.Length && IsRegular(_data[Position])) Position++;
                if (Position >= _data.Length) throw new EndOfStreamException();
                return new Name("/" + Encoding.Latin1.GetString(_data[start..Position]));
        }
        var begin = Position;
        while (Position < _data.Length && IsRegular(_data[Position])) Position++;
        if (Position >= _data.Length) throw new EndOfStreamException(); // a token cut by the end of the window
        if (Position == begin) throw new FormatException($"Unexpected byte {c} at {Position}.");
        var text = Encoding.Latin1.GetString(_data[begin..Position]);
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) return integer;
        if (double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var real)) return real;
        return new Keyword(text);
    }

    private void SkipLiteralString()
    {
        var depth = 0;
        for (; Position < _data.Length; Position++)
        {
            switch (_data[Position])
            {
                case (byte)'\\': Position++; break; // the escaped byte, whatever it is
                case (byte)'(': depth++; break;
                case (byte)')' when --depth == 0: Position++; return;
            }
        }
        throw new EndOfStreamException();
    }

    private void SkipWhitespaceAndComments()
    {
        while (Position < _data.Length)
        {
            var c = _data[Position];
            if (c == '%')
                while (Position < _data.Length && _data[Position] is not ((byte)'\n' or (byte)'\r')) Position++;
            else if (c is 0 or 9 or 10 or 12 or 13 or 32) Position++;
            else return;
        }
    }

    private int At(int index) => index < _data.Length ? _data[index] : throw new EndOfStreamException();

    private static bool IsRegular(byte c) => c is not (0 or 9 or 10 or 12 or 13 or 32)
        and not ((byte)'(' or (byte)')' or (byte)'<' or (byte)'>' or (byte)'[' or (byte)']' or (byte)'{' or (byte)'}' or (byte)'/' or (byte)'%');
}
