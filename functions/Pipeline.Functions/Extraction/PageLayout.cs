using Pipeline.Functions.Digitise;

namespace Pipeline.Functions.Extraction;

/// <summary>
/// A run of words on one visual line, not separated by a wide gap: one cell of the page's two-column header or
/// footer, or one line of body text.
/// </summary>
public sealed record LayoutSegment(int Page, IReadOnlyList<OcrWord> Words)
{
    /// <summary>Left edge, pixels.</summary>
    public int Left => Words.Min(w => w.Left);
    /// <summary>Right edge, pixels.</summary>
    public int Right => Words.Max(w => w.Left + w.Width);
    /// <summary>Top edge, pixels.</summary>
    public int Top => Words.Min(w => w.Top);
    /// <summary>Bottom edge, pixels.</summary>
    public int Bottom => Words.Max(w => w.Top + w.Height);
    /// <summary>Horizontal centre, pixels.</summary>
    public double Centre => (Left + Right) / 2.0;
    /// <summary>The words joined by single spaces.</summary>
    public string Text => string.Join(' ', Words.Select(w => w.Text));
    /// <summary>The weakest word's OCR confidence: one misread word is enough to make a field wrong.</summary>
    public double MinConfidence => Words.Min(w => w.Confidence);
    /// <summary>The mean OCR confidence of the words.</summary>
    public double MeanConfidence => Words.Average(w => w.Confidence);
}

/// <summary>One visual line across the page (words whose boxes share a baseline band), split into segments.</summary>
public sealed record LayoutRow(int Page, IReadOnlyList<OcrWord> Words, IReadOnlyList<LayoutSegment> Segments)
{
    /// <summary>Top edge, pixels.</summary>
    public int Top => Words.Min(w => w.Top);
    /// <summary>Bottom edge, pixels.</summary>
    public int Bottom => Words.Max(w => w.Top + w.Height);
    /// <summary>The words joined by single spaces.</summary>
    public string Text => string.Join(' ', Words.Select(w => w.Text));

    /// <summary>The words left of <paramref name="x"/> (by their centre), or null when there are none.</summary>
    public LayoutSegment? LeftOf(double x) => Part(w => w.Left + w.Width / 2.0 < x);

    /// <summary>The words right of <paramref name="x"/> (by their centre), or null when there are none.</summary>
    public LayoutSegment? RightOf(double x) => Part(w => w.Left + w.Width / 2.0 >= x);

    private LayoutSegment? Part(Func<OcrWord, bool> keep)
    {
        var words = Words.Where(keep).ToList();
        return words.Count == 0 ? null : new LayoutSegment(Page, words);
    }
}

/// <summary>
/// Rebuilds visual lines from word boxes. Tesseract's own lines join the left and right columns of the header
/// (issuer | national heading) and of the footer (recipients | signature); the formats put different fields in
/// each column, so lines are rebuilt from positions and cut at wide gaps.
/// </summary>
public static class PageLayout
{
    /// <summary>The rows of one page, top to bottom, each with its words left to right.</summary>
    public static IReadOnlyList<LayoutRow> Rows(OcrPage page, int pageIndex)
    {
        // Stamps, rules and signature strokes come out as short low-confidence symbol runs; they would glue
        // columns together or pass for a field.
        var words = page.Words.Where(w => !IsNoise(w)).OrderBy(w => w.Top + w.Height / 2.0).ToList();
        var rows = new List<List<OcrWord>>();
        foreach (var word in words)
        {
            var centre = word.Top + word.Height / 2.0;
            var row = rows.LastOrDefault(r => Math.Abs(Centre(r) - centre) < 0.5 * Math.Max(MedianHeight(r), word.Height));
            if (row is null) rows.Add([word]);
            else row.Add(word);
        }
        return rows
            .Select(r => r.OrderBy(w => w.Left).ToList())
            .OrderBy(r => r.Min(w => w.Top))
            .Select(r => new LayoutRow(pageIndex, r, Split(pageIndex, r)))
            .ToList();
    }

    /// <summary>True for boxes OCR read from specks, rules and strokes rather than letters.</summary>
    public static bool IsNoise(OcrWord word)
    {
        var letters = word.Text.Count(char.IsLetterOrDigit);
        if (letters == 0) return word.Text is not ("-" or "*" or "–") || word.Confidence < 0.3;
        return word.Confidence < 0.25 && letters < 3;
    }

    // A gap wider than about one letter height separates columns; word spaces are a third of that.
    private static List<LayoutSegment> Split(int pageIndex, List<OcrWord> row)
    {
        var height = MedianHeight(row);
        var segments = new List<LayoutSegment>();
        var current = new List<OcrWord> { row[0] };
        for (var i = 1; i < row.Count; i++)
        {
            var gap = row[i].Left - (row[i - 1].Left + row[i - 1].Width);
            if (gap > 1.2 * height)
            {
                segments.Add(new LayoutSegment(pageIndex, current));
                current = [];
            }
            current.Add(row[i]);
        }
        segments.Add(new LayoutSegment(pageIndex, current));
        return segments;
    }

    private static double Centre(List<OcrWord> row) => row.Average(w => w.Top + w.Height / 2.0);

    /// <summary>The median word height of a set of words: the letter size of the line.</summary>
    public static double MedianHeight(IReadOnlyList<OcrWord> words)
    {
        var heights = words.Select(w => w.Height).Order().ToList();
        return heights.Count == 0 ? 0 : heights[heights.Count / 2];
    }
}
