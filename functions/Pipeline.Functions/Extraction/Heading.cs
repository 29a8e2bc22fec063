namespace Pipeline.Functions.Extraction;

/// <summary>Which format a first page follows, and where its header's two columns meet.</summary>
/// <param name="Kind">"party", "state" or null.</param>
/// <param name="Row">The row holding the heading, or null when no heading was recognised.</param>
/// <param name="ColumnSplit">The x (pixels) left of which the issuer, number and V/v stand; right of it the heading and date.</param>
/// <param name="Confidence">How sure the kind is, 0..1.</param>
public sealed record Heading(string? Kind, LayoutRow? Row, double ColumnSplit, double Confidence)
{
    private static readonly string StateKey = Fuzzy.Key("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    private static readonly string PartyKey = Fuzzy.Key("ĐẢNG CỘNG SẢN VIỆT NAM");

    /// <summary>
    /// Finds the national heading (state) or ĐẢNG CỘNG SẢN VIỆT NAM (Party) top right. OCR may garble a letter or
    /// two or drop marks (DANG CONG SAN VIET NAM); the folded letters still anchor the layout.
    /// </summary>
    public static Heading Find(IReadOnlyList<LayoutRow> rows, int pageWidth)
    {
        foreach (var row in rows.Take(8))
        {
            // Try every run of words that starts right of the page's left quarter (the heading is the right
            // column) and keep the closest: a run that takes in the issuer's last word ("LA" of SƠN LA) is farther.
            (string Kind, int Start, int Distance)? best = null;
            for (var start = 0; start < row.Words.Count; start++)
            {
                if (row.Words[start].Left < pageWidth * 0.3) continue;
                var key = "";
                for (var end = start; end < row.Words.Count && key.Length < StateKey.Length + 3; end++)
                {
                    key += Fuzzy.Key(row.Words[end].Text);
                    foreach (var (kind, target) in new[] { ("state", StateKey), ("party", PartyKey) })
                    {
                        if (Math.Abs(key.Length - target.Length) > 2) continue;
                        var distance = Fuzzy.Distance(key, target, 4);
                        if (distance > Math.Max(2, target.Length / 6)) continue;
                        if (best is null || distance < best.Value.Distance) best = (kind, start, distance);
                    }
                }
            }
            if (best is not { } found) continue;
            var left = row.Words[found.Start].Left;
            var before = row.Words.Take(found.Start).ToList();
            // Midway between the issuer's end and the heading's start: a Party date line is wider than its
            // heading, so the heading's own left edge would cut it.
            var split = before.Count == 0 ? left - 0.05 * pageWidth : (before.Max(w => w.Left + w.Width) + left) / 2.0;
            return new Heading(found.Kind, row, split, found.Distance == 0 ? 0.99 : 0.95);
        }
        return new Heading(null, null, pageWidth * 0.45, 0);
    }
}
