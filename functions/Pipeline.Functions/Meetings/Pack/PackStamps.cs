using Pipeline.Functions.Meetings.Pdf;

namespace Pipeline.Functions.Meetings;

/// <summary>What is laid over one pack page: its size (the overlay page is made exactly that size, so qpdf places
/// it 1:1) and its page label, if any.</summary>
internal readonly record struct PackStamp(int Page, PackPageSize Size, string? Label);

/// <summary>
/// Writes stamps.pdf, one page per stamped pack page, for qpdf to lay over the pack in the same pass that binds it:
/// the page label ("2.3") at the bottom right, and the participant's watermark across the page when there is one.
/// </summary>
internal static class PackStamps
{
    private const double LabelSize = 9, LabelInset = 20, LabelBaseline = 14;

    /// <summary>Light enough to read the page through, strong enough to survive a photocopy or a screenshot.</summary>
    private const double WatermarkGray = 0.45, WatermarkOpacity = 0.22;

    /// <summary>Writes one page per entry of <paramref name="stamps"/>, in order.</summary>
    public static void Write(IReadOnlyList<PackStamp> stamps, string? watermark, string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var pdf = new PdfWriter(file);
        foreach (var stamp in stamps)
        {
            var page = pdf.AddPage(stamp.Size.Width, stamp.Size.Height);
            if (stamp.Label is { } label)
                page.TextRight(page.Width - LabelInset, LabelBaseline, label, PdfFontStyle.Regular, LabelSize);
            if (watermark is not null) Watermark(page, watermark);
        }
        pdf.Finish();
    }

    /// <summary>The text along the page's rising diagonal, centred, as large as fits in about half the diagonal.</summary>
    private static void Watermark(PdfPageCanvas page, string text)
    {
        var (w, h) = (page.Width, page.Height);
        var angle = Math.Atan2(h, w);
        var unitWidth = page.Fonts.Width(text, PdfFontStyle.Bold, 1);
        if (unitWidth <= 0) return;
        var size = Math.Clamp(0.55 * Math.Sqrt(w * w + h * h) / unitWidth, 10, 54);
        var half = unitWidth * size / 2;
        var (cos, sin) = (Math.Cos(angle), Math.Sin(angle));
        // Start half the text's width back along the diagonal from the centre, and a third of the size "down"
        // (perpendicular to the text) so the letters, not their baseline, sit on the centre.
        var x = w / 2 - half * cos + size * 0.35 * sin;
        var y = h / 2 - half * sin - size * 0.35 * cos;
        page.Opacity = WatermarkOpacity;
        page.Text(x, y, text, PdfFontStyle.Bold, size, WatermarkGray, angle * 180 / Math.PI);
        page.Opacity = 1;
    }
}
