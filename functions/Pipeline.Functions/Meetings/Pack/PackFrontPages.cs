using System.Globalization;
using Pipeline.Functions.Meetings.Pdf;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// Writes the pack's own pages, A4: the cover with the agenda (continued on further pages when it is long), then
/// one divider per item; with bookmarks "Chương trình" → the agenda and one per item → its divider. The item
/// documents are bound in after each divider by qpdf, so this file's pages and bookmarks are the pack's.
/// </summary>
internal static class PackFrontPages
{
    private const double Left = 70, Right = 50, Top = 60, Bottom = 60; // points; the left one wider, for binding
    private const double Width = PdfWriter.A4Width - Left - Right;
    private const double LabelColumn = 70;                             // right column for "trang 2.1"

    /// <summary>Vietnam keeps UTC+7 all year (no daylight saving), so a fixed offset is exact.</summary>
    private static readonly TimeSpan VietnamTime = TimeSpan.FromHours(7);

    /// <summary>Writes front.pdf to <paramref name="path"/>; returns how many cover/agenda pages precede the dividers.</summary>
    public static int Write(PackPlan plan, string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var pdf = new PdfWriter(file) { Title = $"{plan.MeetingTitle} — Tài liệu họp (phiên bản {Number(plan.Version)})" };
        var flow = new Flow(pdf, "CHƯƠNG TRÌNH (tiếp theo)");
        WriteCover(flow, plan);
        var frontPages = pdf.PageCount;

        pdf.AddBookmark("Chương trình", 0);
        for (var i = 0; i < plan.Items.Count; i++)
        {
            var item = plan.Items[i];
            pdf.AddBookmark($"{Number(item.Number)}. {item.Title}", frontPages + i);
            WriteDivider(pdf, plan, item);
        }
        pdf.Finish();
        return frontPages;
    }

    private static void WriteCover(Flow flow, PackPlan plan)
    {
        flow.Centered("TÀI LIỆU PHIÊN HỌP", PdfFontStyle.Bold, 12, 18);
        flow.Gap(6);
        flow.Centered(plan.MeetingTitle, PdfFontStyle.Bold, 16, 21);
        flow.Gap(10);
        flow.Field("Thời gian: ", WhenText(plan.StartsAt));
        if (!string.IsNullOrWhiteSpace(plan.Place)) flow.Field("Địa điểm: ", plan.Place);
        if (!string.IsNullOrWhiteSpace(plan.Chair)) flow.Field("Chủ trì: ", plan.Chair);
        flow.Field("Phiên bản tài liệu: ", Number(plan.Version));
        flow.Gap(8);
        flow.Rule();
        flow.Gap(10);
        flow.Centered("CHƯƠNG TRÌNH", PdfFontStyle.Bold, 14, 20);
        flow.Gap(6);
        if (plan.Items.Count == 0) flow.Lines(0, "Không có nội dung.", PdfFontStyle.Italic, 11, 15);
        foreach (var item in plan.Items)
        {
            var heading = $"{Number(item.Number)}. {item.Title}";
            var presenter = string.IsNullOrWhiteSpace(item.Presenter) ? null : "Trình bày: " + item.Presenter;
            var note = string.IsNullOrWhiteSpace(item.Note) ? null : $"({item.Note})";
            var documents = item.Documents.Select(d => $"– {d.Label} ({Number(d.Pages)} trang)").ToList();
            // An item is kept on one page when it fits on one; a longer one at least keeps its heading with a line after it.
            var headingHeight = flow.Height(heading, PdfFontStyle.Bold, 12, 16, Width - LabelColumn);
            var whole = headingHeight + flow.Height(presenter, PdfFontStyle.Italic, 11, 15, Width - 18) + flow.Height(note, PdfFontStyle.Italic, 11, 15, Width - 18)
                + documents.Sum(d => flow.Height(d, PdfFontStyle.Regular, 11, 15, Width - 28));
            flow.KeepTogether(whole <= Flow.PageHeight ? whole : headingHeight + 15);
            var first = item.Documents.Count > 0 ? $"trang {Number(item.Number)}.1" : null;
            flow.Lines(0, heading, PdfFontStyle.Bold, 12, 16, rightLabel: first, columnWidth: Width - LabelColumn);
            if (presenter is not null) flow.Lines(18, presenter, PdfFontStyle.Italic, 11, 15);
            if (note is not null) flow.Lines(18, note, PdfFontStyle.Italic, 11, 15);
            foreach (var document in documents) flow.Lines(18, document, PdfFontStyle.Regular, 11, 15, hanging: 10);
            flow.Gap(6);
        }
    }

    /// <summary>One page: the item's number and title large in the upper half, then its documents with their page labels.
    /// A list too long for the page ends with how many more there are: the agenda lists them all.</summary>
    private static void WriteDivider(PdfWriter pdf, PackPlan plan, PackItem item)
    {
        var page = pdf.AddPage();
        page.TextCentered(PdfWriter.A4Width / 2, PdfWriter.A4Height - Top + 10, Fit(pdf.Fonts, plan.MeetingTitle, PdfFontStyle.Italic, 10),
            PdfFontStyle.Italic, 10, gray: 0.35);
        var y = PdfWriter.A4Height * 0.68;
        page.TextCentered(PdfWriter.A4Width / 2, y, "MỤC " + Number(item.Number), PdfFontStyle.Bold, 26);
        y -= 30;
        y = Centered(page, y, item.Title, PdfFontStyle.Bold, 16, 21);
        if (!string.IsNullOrWhiteSpace(item.Presenter)) y = Centered(page, y - 4, "Trình bày: " + item.Presenter, PdfFontStyle.Italic, 12, 16);
        if (!string.IsNullOrWhiteSpace(item.Note)) y = Centered(page, y, $"({item.Note})", PdfFontStyle.Italic, 12, 16);

        y -= 24;
        page.Line(Left, y, PdfWriter.A4Width - Right, y, 0.5, 0.5);
        y -= 22;
        if (item.Documents.Count == 0)
        {
            page.Text(Left, y, "Không có tài liệu kèm theo.", PdfFontStyle.Italic, 11);
            return;
        }
        page.Text(Left, y, "Tài liệu:", PdfFontStyle.Bold, 12);
        y -= 18;
        var firstPage = 1;
        for (var d = 0; d < item.Documents.Count; d++)
        {
            var document = item.Documents[d];
            var lines = PdfPageCanvas.WrapLines(pdf.Fonts, "– " + document.Label, PdfFontStyle.Regular, 11, Width - LabelColumn);
            if (y - lines.Count * 15 < Bottom + 15)
            {
                page.Text(Left, y, $"… và {Number(item.Documents.Count - d)} tài liệu khác (xem chương trình).", PdfFontStyle.Italic, 11);
                return;
            }
            var lastPage = firstPage + document.Pages - 1;
            var label = $"{Number(item.Number)}.{Number(firstPage)}" + (lastPage > firstPage ? $"–{Number(item.Number)}.{Number(lastPage)}" : "");
            page.TextRight(PdfWriter.A4Width - Right, y, label, PdfFontStyle.Regular, 11);
            foreach (var line in lines)
            {
                page.Text(Left, y, line, PdfFontStyle.Regular, 11);
                y -= 15;
            }
            y -= 3;
            firstPage = lastPage + 1;
        }
    }

    private static double Centered(PdfPageCanvas page, double y, string text, PdfFontStyle style, double size, double lineHeight)
    {
        foreach (var line in PdfPageCanvas.WrapLines(page.Fonts, text, style, size, Width))
        {
            page.TextCentered(PdfWriter.A4Width / 2, y, line, style, size);
            y -= lineHeight;
        }
        return y;
    }

    /// <summary>"08:00 ngày 15/12/2026", in Vietnam time whatever offset the instant was given with.</summary>
    internal static string WhenText(DateTimeOffset at)
        => at.ToOffset(VietnamTime).ToString("HH:mm 'ngày' dd/MM/yyyy", CultureInfo.InvariantCulture);

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>The text cut with "…" to fit the text column on one line.</summary>
    private static string Fit(PdfFonts fonts, string text, PdfFontStyle style, double size)
    {
        if (fonts.Width(text, style, size) <= Width) return text;
        var cut = text.Length;
        while (cut > 1 && fonts.Width(text[..cut] + "…", style, size) > Width) cut--;
        return text[..cut].TrimEnd() + "…";
    }

    /// <summary>Text set top to bottom across as many pages as it needs, each continuation page headed.</summary>
    private sealed class Flow(PdfWriter pdf, string continuationHeading)
    {
        private PdfPageCanvas _page = pdf.AddPage();
        private double _y = PdfWriter.A4Height - Top; // top of the next line

        /// <summary>Room on a continuation page, below its heading.</summary>
        public const double PageHeight = PdfWriter.A4Height - Top - Bottom - 28;

        /// <summary>How tall <paramref name="text"/> is once wrapped (0 for none).</summary>
        public double Height(string? text, PdfFontStyle style, double size, double lineHeight, double width)
            => text is null ? 0 : PdfPageCanvas.WrapLines(pdf.Fonts, text, style, size, width).Count * lineHeight;

        public void Gap(double points) => _y -= points;

        /// <summary>Starts a new page unless <paramref name="height"/> points still fit on this one.</summary>
        public void KeepTogether(double height)
        {
            if (_y - height < Bottom) NewPage();
        }

        public void Centered(string text, PdfFontStyle style, double size, double lineHeight)
        {
            foreach (var line in PdfPageCanvas.WrapLines(pdf.Fonts, text, style, size, Width))
            {
                var baseline = NextLine(lineHeight, size);
                _page.TextCentered(Left + Width / 2, baseline, line, style, size);
            }
        }

        /// <summary>A bold label followed by its value, wrapped under the value.</summary>
        public void Field(string label, string value)
        {
            var indent = pdf.Fonts.Width(label, PdfFontStyle.Bold, 12);
            var lines = PdfPageCanvas.WrapLines(pdf.Fonts, value, PdfFontStyle.Regular, 12, Width - indent);
            for (var i = 0; i < lines.Count; i++)
            {
                var baseline = NextLine(17, 12);
                if (i == 0) _page.Text(Left, baseline, label, PdfFontStyle.Bold, 12);
                _page.Text(Left + indent, baseline, lines[i], PdfFontStyle.Regular, 12);
            }
        }

        /// <summary>Wrapped left-aligned text at <paramref name="indent"/>; lines after the first further in by
        /// <paramref name="hanging"/>; <paramref name="rightLabel"/> right-aligned on the first line.</summary>
        public void Lines(double indent, string text, PdfFontStyle style, double size, double lineHeight,
            string? rightLabel = null, double? columnWidth = null, double hanging = 0)
        {
            var width = (columnWidth ?? Width) - indent;
            var first = PdfPageCanvas.WrapLines(pdf.Fonts, text, style, size, width);
            if (first.Count == 0) return;
            // Re-wrap what follows the first line in the narrower hanging column.
            var lines = hanging > 0 && first.Count > 1
                ? [first[0], .. PdfPageCanvas.WrapLines(pdf.Fonts, string.Join(' ', first.Skip(1)), style, size, width - hanging)]
                : first;
            for (var i = 0; i < lines.Count; i++)
            {
                var baseline = NextLine(lineHeight, size);
                _page.Text(Left + indent + (i > 0 ? hanging : 0), baseline, lines[i], style, size);
                if (i == 0 && rightLabel is not null) _page.TextRight(Left + Width, baseline, rightLabel, PdfFontStyle.Regular, size - 1);
            }
        }

        public void Rule()
        {
            _page.Line(Left, _y, Left + Width, _y, 0.5, 0.4);
        }

        /// <summary>The baseline of the next line, on a new page when it would cross the bottom margin.</summary>
        private double NextLine(double lineHeight, double size)
        {
            if (_y - lineHeight < Bottom) NewPage();
            var baseline = _y - (lineHeight + size * 0.7) / 2; // cap height roughly centred in the line
            _y -= lineHeight;
            return baseline;
        }

        private void NewPage()
        {
            _page = pdf.AddPage();
            _y = PdfWriter.A4Height - Top;
            var baseline = _y - 16;
            _page.TextCentered(Left + Width / 2, baseline, continuationHeading, PdfFontStyle.Bold, 12);
            _y -= 28;
        }
    }
}
