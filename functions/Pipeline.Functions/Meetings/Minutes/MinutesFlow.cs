using System.Globalization;
using System.Text;
using Pipeline.Functions.Meetings.Pdf;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// Sets the minutes top to bottom on A4 pages with 20 mm margins, line by line: a line that would cross the bottom
/// margin goes to a new page, so nothing is ever drawn below it, however long a text is. Every page has "Trang n"
/// centred at its foot (inside the margin box, under the text); pages after the first are headed with the meeting title.
/// </summary>
internal sealed class MinutesFlow
{
    /// <summary>20 mm in points.</summary>
    public const double Margin = 20 / 25.4 * 72;

    /// <summary>The left edge and width of the text column.</summary>
    public const double Left = Margin, Width = PdfWriter.A4Width - 2 * Margin;

    private const double Top = PdfWriter.A4Height - Margin;
    private const double FooterBaseline = Margin + 4, FooterSize = 10;
    private const double ContentBottom = Margin + 22; // the page number sits in the band below this
    private const double RunningHeadSize = 9;

    private readonly PdfWriter _pdf;
    private readonly string _runningHead;
    private PdfPageCanvas _page;
    private double _y; // top of the next line

    /// <summary>Starts the first page.</summary>
    /// <param name="pdf">The writer the pages go to.</param>
    /// <param name="runningHead">The line heading each page after the first.</param>
    public MinutesFlow(PdfWriter pdf, string runningHead)
    {
        _pdf = pdf;
        _runningHead = runningHead;
        _page = StartPage();
    }

    /// <summary>0-based index of the page being set, for bookmarks.</summary>
    public int PageIndex => _pdf.PageCount - 1;

    /// <summary>Vertical space; none is carried over to the top of a new page.</summary>
    public void Gap(double points) => _y = Math.Max(_y - points, ContentBottom);

    /// <summary>The height of <paramref name="text"/> wrapped at <paramref name="indent"/>.</summary>
    public double Height(string text, PdfFontStyle style, double size, double lineHeight, double indent = 0)
        => PdfPageCanvas.WrapLines(_pdf.Fonts, text, style, size, Width - indent).Count * lineHeight;

    /// <summary>Starts a new page unless <paramref name="height"/> points still fit on this one (and would fit on an empty one).</summary>
    public void KeepTogether(double height)
    {
        if (_y - height < ContentBottom && height <= FirstLineTop - ContentBottom) NewPage();
    }

    /// <summary>Each line of the wrapped text centred on the column.</summary>
    public void Centered(string text, PdfFontStyle style, double size, double lineHeight)
    {
        foreach (var line in PdfPageCanvas.WrapLines(_pdf.Fonts, text, style, size, Width))
        {
            var (page, baseline) = NextLine(lineHeight, size);
            page.TextCentered(Left + Width / 2, baseline, line, style, size);
        }
    }

    /// <summary>Wrapped left-aligned text at <paramref name="indent"/>, lines after the first further in by <paramref name="hanging"/>.</summary>
    public void Lines(double indent, string text, PdfFontStyle style, double size, double lineHeight, double hanging = 0)
        => Field(indent, "", PdfFontStyle.Bold, text, style, size, lineHeight, hanging);

    /// <summary>
    /// <paramref name="label"/> followed on the same line by <paramref name="value"/>, which wraps back to
    /// <paramref name="indent"/> + <paramref name="hanging"/> (not under the label: a long conclusion keeps the full width).
    /// Line breaks in the value are kept.
    /// </summary>
    public void Field(double indent, string label, PdfFontStyle labelStyle, string value, PdfFontStyle valueStyle,
        double size, double lineHeight, double hanging = 0)
    {
        var labelWidth = label.Length == 0 ? 0 : _pdf.Fonts.Width(label, labelStyle, size);
        var paragraphs = value.Normalize(NormalizationForm.FormC).ReplaceLineEndings("\n").Split('\n');
        // The first line is narrower by the label. WrapLines joins words with one space and breaks an over-long word
        // without adding anything, so its first line is a prefix of the space-collapsed paragraph: the rest follows on.
        var first = string.Join(' ', paragraphs[0].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
        var firstLine = first.Length == 0 ? "" : PdfPageCanvas.WrapLines(_pdf.Fonts, first, valueStyle, size, Math.Max(Width - indent - labelWidth, size))[0];
        var remainder = first[firstLine.Length..].TrimStart();
        var rest = remainder.Length > 0 ? paragraphs.Skip(1).Prepend(remainder) : paragraphs.Skip(1);
        var lines = PdfPageCanvas.WrapLines(_pdf.Fonts, string.Join('\n', rest), valueStyle, size, Width - indent - hanging);

        var (page, baseline) = NextLine(lineHeight, size);
        if (labelWidth > 0) page.Text(Left + indent, baseline, label, labelStyle, size);
        page.Text(Left + indent + labelWidth, baseline, firstLine, valueStyle, size);
        foreach (var line in lines)
        {
            (page, baseline) = NextLine(lineHeight, size);
            page.Text(Left + indent + hanging, baseline, line, valueStyle, size);
        }
    }

    /// <summary>A thin rule across the column at the current position.</summary>
    public void Rule()
    {
        if (_y - 1 < ContentBottom) return;
        _page.Line(Left, _y, Left + Width, _y, 0.5, 0.4);
    }

    /// <summary>Two blocks side by side, each line centred in its half of the column; kept on one page.</summary>
    public void SideBySide(IReadOnlyList<BlockLine> left, IReadOnlyList<BlockLine> right)
    {
        var half = Width / 2;
        double HeightOf(IReadOnlyList<BlockLine> block)
            => block.Sum(l => l.SpaceBefore + PdfPageCanvas.WrapLines(_pdf.Fonts, l.Text, l.Style, l.Size, half - 10).Count * l.LineHeight);
        KeepTogether(Math.Max(HeightOf(left), HeightOf(right)));
        var top = _y;
        var bottom = top;
        foreach (var (block, x) in new[] { (left, Left), (right, Left + half) })
        {
            _y = top;
            foreach (var line in block)
            {
                Gap(line.SpaceBefore);
                foreach (var text in PdfPageCanvas.WrapLines(_pdf.Fonts, line.Text, line.Style, line.Size, half - 10))
                {
                    var (page, baseline) = NextLine(line.LineHeight, line.Size);
                    page.TextCentered(x + half / 2, baseline, text, line.Style, line.Size);
                }
            }
            bottom = Math.Min(bottom, _y);
        }
        _y = bottom;
    }

    /// <summary>One line of a <see cref="SideBySide"/> block.</summary>
    public sealed record BlockLine(string Text, PdfFontStyle Style, double Size, double LineHeight, double SpaceBefore = 0);

    private double FirstLineTop => Top - RunningHeadSize - 12;

    /// <summary>The page and baseline of the next line: a new page when the line would cross the bottom margin.
    /// (Returned together so a caller cannot draw on the page this call may just have closed.)</summary>
    private (PdfPageCanvas Page, double Baseline) NextLine(double lineHeight, double size)
    {
        if (_y - lineHeight < ContentBottom) NewPage();
        var baseline = _y - (lineHeight + size * 0.7) / 2; // cap height roughly centred in the line
        _y -= lineHeight;
        return (_page, baseline);
    }

    private void NewPage() => _page = StartPage();

    private PdfPageCanvas StartPage()
    {
        var page = _pdf.AddPage();
        var number = _pdf.PageCount;
        page.TextCentered(Left + Width / 2, FooterBaseline, "Trang " + number.ToString(CultureInfo.InvariantCulture), PdfFontStyle.Regular, FooterSize);
        if (number == 1)
        {
            _y = Top;
            return page;
        }
        page.Text(Left, Top - RunningHeadSize, Fit(_runningHead, PdfFontStyle.Italic, RunningHeadSize), PdfFontStyle.Italic, RunningHeadSize, gray: 0.35);
        page.Line(Left, Top - RunningHeadSize - 5, Left + Width, Top - RunningHeadSize - 5, 0.4, 0.6);
        _y = FirstLineTop;
        return page;
    }

    /// <summary>The text cut with "…" to fit the column on one line.</summary>
    private string Fit(string text, PdfFontStyle style, double size)
    {
        if (_pdf.Fonts.Width(text, style, size) <= Width) return text;
        var cut = text.Length;
        while (cut > 1 && _pdf.Fonts.Width(text[..cut] + "…", style, size) > Width) cut--;
        return text[..cut].TrimEnd() + "…";
    }
}
