using System.Globalization;
using System.Text;
using static Pipeline.Functions.Meetings.Pdf.PdfObjects;

namespace Pipeline.Functions.Meetings.Pdf;

/// <summary>
/// One page being drawn, in points with the origin at the bottom left (PDF user space). Valid until the next
/// <see cref="PdfWriter.AddPage"/> or <see cref="PdfWriter.Finish"/>; drawing after that throws.
/// </summary>
/// <remarks>Text is normalised to NFC and drawn without kerning or ligatures, so every character maps to one glyph
/// and extracted text equals the text given. A tab is drawn as a space, other control characters are dropped, and a
/// character the font lacks is drawn (and extracted) as '?': nothing is lost silently, nothing throws.</remarks>
public sealed class PdfPageCanvas
{
    private readonly PdfWriter _writer;
    private readonly StringBuilder _content = new();
    private readonly SortedDictionary<string, int> _fonts = new(StringComparer.Ordinal); // resource name → font object
    private readonly List<double> _opacities = [];                                       // index = /GSn resource
    private bool _closed;
    private double _opacity = 1;

    internal PdfPageCanvas(PdfWriter writer, double width, double height) => (_writer, Width, Height) = (writer, width, height);

    /// <summary>Page width in points.</summary>
    public double Width { get; }

    /// <summary>Page height in points.</summary>
    public double Height { get; }

    /// <summary>The writer's fonts, to measure text before placing it.</summary>
    public PdfFonts Fonts => _writer.Fonts;

    /// <summary>
    /// Opacity (0 transparent … 1 opaque) of everything drawn from now on on this page; 1 by default. A watermark at
    /// e.g. 0.25 on an overlay page lets the document underneath show through instead of being painted over.
    /// </summary>
    public double Opacity
    {
        get => _opacity;
        set => _opacity = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Opacity is 0 to 1.");
    }

    /// <summary>Draws one line of text with its baseline starting at (<paramref name="x"/>, <paramref name="y"/>),
    /// turned <paramref name="angleDegrees"/> counter-clockwise about that point. <paramref name="gray"/> is 0 black … 1 white.
    /// Line breaks are not honoured here (see <see cref="Paragraph"/>).</summary>
    public void Text(double x, double y, string text, PdfFontStyle style, double size, double gray = 0, double angleDegrees = 0)
    {
        EnsureOpen();
        ArgumentNullException.ThrowIfNull(text);
        CheckGray(gray);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var font = _writer.UseFont(style);
        var glyphs = font.Face.Glyphs(text.Normalize(NormalizationForm.FormC));
        if (glyphs.Count == 0) return;
        _fonts[font.ResourceName] = font.Number;

        var code = new StringBuilder(4 * glyphs.Count + 2).Append('<');
        foreach (var (codePoint, glyph) in glyphs)
        {
            font.CodePoints.TryAdd(glyph, codePoint);
            code.Append(GlyphCode(glyph));
        }
        code.Append('>');

        var radians = angleDegrees * Math.PI / 180;
        double cos = Math.Cos(radians), sin = Math.Sin(radians);
        BeginDrawing();
        _content.Append($"BT /{font.ResourceName} {Number(size)} Tf {Number(gray)} g ")
            .Append($"{Number(cos, 6)} {Number(sin, 6)} {Number(-sin, 6)} {Number(cos, 6)} {Number(x)} {Number(y)} Tm {code} Tj ET");
        EndDrawing();
    }

    /// <summary>Draws one line of text centred on <paramref name="centerX"/>.</summary>
    public void TextCentered(double centerX, double y, string text, PdfFontStyle style, double size, double gray = 0)
        => Text(centerX - Fonts.Width(text, style, size) / 2, y, text, style, size, gray);

    /// <summary>Draws one line of text ending at <paramref name="rightX"/>.</summary>
    public void TextRight(double rightX, double y, string text, PdfFontStyle style, double size, double gray = 0)
        => Text(rightX - Fonts.Width(text, style, size), y, text, style, size, gray);

    /// <summary>
    /// Draws <paramref name="text"/> left-aligned in a column <paramref name="width"/> wide, wrapped as
    /// <see cref="WrapLines"/> does. Each line takes <paramref name="lineHeight"/> points, the text centred in it
    /// (as CSS line-height does), the first line's top at <paramref name="yTop"/>.
    /// </summary>
    /// <returns><paramref name="yTop"/> − lines × <paramref name="lineHeight"/>: where the next block can start.
    /// The paragraph is drawn in full even when this is below the page margin or the page itself (lines there are
    /// simply not visible); a caller that paginates compares the result with its margin, or measures first with
    /// <see cref="WrapLines"/> and splits the lines over pages.</returns>
    public double Paragraph(double x, double yTop, double width, string text, PdfFontStyle style, double size, double lineHeight)
    {
        EnsureOpen();
        var lines = WrapLines(Fonts, text, style, size, width);
        var ascent = Fonts.Ascent(style, size);
        var firstBaseline = yTop - (lineHeight - (ascent - Fonts.Descent(style, size))) / 2 - ascent;
        for (var i = 0; i < lines.Count; i++) Text(x, firstBaseline - i * lineHeight, lines[i], style, size);
        return yTop - lines.Count * lineHeight;
    }

    /// <summary>
    /// Breaks <paramref name="text"/> (NFC-normalised) into lines no wider than <paramref name="width"/>: at each
    /// line break (\n, \r\n) and between words, greedily; a word wider than the column is broken between characters.
    /// Runs of spaces collapse to one; an empty input line stays an empty line; empty text gives no lines.
    /// </summary>
    public static IReadOnlyList<string> WrapLines(PdfFonts fonts, string text, PdfFontStyle style, double size, double width)
    {
        ArgumentNullException.ThrowIfNull(fonts);
        ArgumentNullException.ThrowIfNull(text);
        var lines = new List<string>();
        if (text.Length == 0) return lines;
        const double Tolerance = 1e-9; // widths are sums of thousandths; don't let rounding push a fitting word over
        var space = fonts.Width(" ", style, size);
        foreach (var paragraph in text.Normalize(NormalizationForm.FormC).ReplaceLineEndings("\n").Split('\n'))
        {
            var line = new StringBuilder();
            var lineWidth = 0.0;
            foreach (var word in paragraph.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                var wordWidth = fonts.Width(word, style, size);
                if (line.Length > 0 && lineWidth + space + wordWidth <= width + Tolerance)
                {
                    line.Append(' ').Append(word);
                    lineWidth += space + wordWidth;
                    continue;
                }
                if (line.Length > 0) lines.Add(line.ToString());
                var rest = word;
                while (wordWidth > width + Tolerance && rest.Length > 1)
                {
                    var cut = FittingPrefix(fonts, rest, style, size, width);
                    if (cut == rest.Length) break;
                    lines.Add(rest[..cut]);
                    rest = rest[cut..];
                    wordWidth = fonts.Width(rest, style, size);
                }
                line.Clear().Append(rest);
                lineWidth = wordWidth;
            }
            lines.Add(line.ToString());
        }
        return lines;
    }

    /// <summary>Strokes a line from (x1, y1) to (x2, y2).</summary>
    public void Line(double x1, double y1, double x2, double y2, double width = 0.5, double gray = 0)
    {
        EnsureOpen();
        CheckGray(gray);
        BeginDrawing();
        _content.Append($"{Number(width)} w {Number(gray)} G {Number(x1)} {Number(y1)} m {Number(x2)} {Number(y2)} l S");
        EndDrawing();
    }

    /// <summary>A rectangle with its bottom-left corner at (x, y): outlined in <paramref name="gray"/> (not outlined
    /// when <paramref name="lineWidth"/> is 0) and filled with <paramref name="fillGray"/> when given.</summary>
    public void Rectangle(double x, double y, double w, double h, double lineWidth = 0.5, double gray = 0, double? fillGray = null)
    {
        EnsureOpen();
        CheckGray(gray);
        if (fillGray is { } fill) CheckGray(fill);
        var stroke = lineWidth > 0;
        if (!stroke && fillGray is null) return;
        BeginDrawing();
        if (stroke) _content.Append($"{Number(lineWidth)} w {Number(gray)} G ");
        if (fillGray is { } f) _content.Append($"{Number(f)} g ");
        _content.Append($"{Number(x)} {Number(y)} {Number(w)} {Number(h)} re ").Append(stroke && fillGray is not null ? "B" : stroke ? "S" : "f");
        EndDrawing();
    }

    /// <summary>Ends the page: its content stream and resource dictionary, for the writer to write out.</summary>
    internal (string Content, string Resources) Close()
    {
        _closed = true;
        var resources = new StringBuilder("<<");
        if (_fonts.Count > 0)
            resources.Append(" /Font <<").AppendJoin("", _fonts.Select(f => $" /{f.Key} {Ref(f.Value)}")).Append(" >>");
        if (_opacities.Count > 0)
            resources.Append(" /ExtGState <<")
                .AppendJoin("", _opacities.Select((a, i) => $" /GS{i} << /Type /ExtGState /CA {Number(a)} /ca {Number(a)} >>")).Append(" >>");
        return (_content.ToString(), resources.Append(" >>").ToString());
    }

    /// <summary>Each drawing is wrapped in q … Q, so its colour, width and opacity never leak into the next one.</summary>
    private void BeginDrawing()
    {
        _content.Append("q ");
        if (_opacity >= 1) return;
        var index = _opacities.IndexOf(_opacity);
        if (index < 0) _opacities.Add(_opacity);
        _content.Append("/GS").Append((index < 0 ? _opacities.Count - 1 : index).ToString(CultureInfo.InvariantCulture)).Append(" gs ");
    }

    private void EndDrawing() => _content.Append(" Q\n");

    /// <summary>Length of the longest prefix of <paramref name="word"/> that fits, never splitting a character
    /// (surrogate pair or base + combining mark) and at least one character, so wrapping always progresses.</summary>
    private static int FittingPrefix(PdfFonts fonts, string word, PdfFontStyle style, double size, double width)
    {
        var elements = StringInfo.ParseCombiningCharacters(word);
        var fit = elements.Length > 1 ? elements[1] : word.Length;
        for (var i = 2; i <= elements.Length; i++)
        {
            var end = i < elements.Length ? elements[i] : word.Length;
            if (fonts.Width(word[..end], style, size) > width + 1e-9) break;
            fit = end;
        }
        return fit;
    }

    private static void CheckGray(double gray)
    {
        if (gray is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(gray), gray, "Gray is 0 (black) to 1 (white).");
    }

    private void EnsureOpen()
    {
        if (_closed) throw new InvalidOperationException("This page is already written: draw on a page before adding the next one or finishing.");
    }
}
