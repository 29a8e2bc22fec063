using System.Text;
using Pipeline.Functions.Digitise;

namespace Pipeline.Functions.Extraction;

/// <summary>How one OCR reading compares to the nearest entry of a list.</summary>
/// <param name="Value">The entry.</param>
/// <param name="FoldDistance">Edit distance between the two with case, diacritics and spaces removed: letters OCR got wrong.</param>
/// <param name="Exact">True when the reading is the entry exactly (case and spaces aside): nothing was corrected.</param>
/// <param name="Unique">True when no other entry is as close: the correction is not a guess between two.</param>
/// <param name="Length">Length of the entry's key, to judge the distance against.</param>
public sealed record FuzzyMatch(string Value, int FoldDistance, bool Exact, bool Unique, int Length)
{
    /// <summary>Share of letters that agree, 0..1.</summary>
    public double Similarity => Length == 0 ? 0 : 1 - (double)FoldDistance / Length;
}

/// <summary>
/// Diacritic-insensitive matching. OCR of Vietnamese mostly loses or swaps tone marks (TỈNH→TÍNH, ĐẢNG→DANG) and
/// drops spaces (NHÂNDÂN); comparing the folded letters without spaces finds the entry, and the entry's spelling
/// restores the marks.
/// </summary>
public static class Fuzzy
{
    /// <summary>Lower case, no diacritics, đ as d, no spaces or punctuation other than '/' — the letters OCR must get right.</summary>
    public static string Key(string text)
    {
        var folded = VietnameseText.Fold(text);
        var key = new StringBuilder(folded.Length);
        foreach (var c in folded) if (char.IsLetterOrDigit(c) || c == '/') key.Append(c);
        return key.ToString();
    }

    /// <summary>The case- and space-insensitive form that still keeps the diacritics.</summary>
    public static string Exact(string text)
    {
        var normal = VietnameseText.Normalize(text).ToUpperInvariant();
        var key = new StringBuilder(normal.Length);
        foreach (var c in normal) if (char.IsLetterOrDigit(c) || c == '/') key.Append(c);
        return key.ToString();
    }

    /// <summary>The entry nearest <paramref name="reading"/>, or null when none is within <paramref name="maxShare"/> of its letters.</summary>
    public static FuzzyMatch? Best(string reading, IEnumerable<(string Key, string Exact, string Value)> entries, double maxShare = 0.25)
    {
        var key = Key(reading);
        var exact = Exact(reading);
        if (key.Length == 0) return null;
        var bestDistance = int.MaxValue;
        var nearest = new List<(string Key, string Exact, string Value)>();
        foreach (var entry in entries)
        {
            var bound = Math.Min(bestDistance, (int)Math.Floor(maxShare * Math.Max(entry.Key.Length, key.Length)));
            if (Math.Abs(entry.Key.Length - key.Length) > bound) continue;
            var distance = Distance(key, entry.Key, bound);
            if (distance > bound) continue;
            if (distance < bestDistance) { bestDistance = distance; nearest.Clear(); }
            nearest.Add(entry);
        }
        if (nearest.Count == 0) return null;
        // Spellings of one name (Thanh Hóa, Thanh Hoá) share a key: choosing between them is no guess.
        var unique = nearest.All(e => e.Key == nearest[0].Key);
        var exactEntry = nearest.FirstOrDefault(e => e.Exact == exact);
        var chosen = exactEntry.Value is not null ? exactEntry : nearest[0];
        return new FuzzyMatch(chosen.Value, bestDistance, exactEntry.Value is not null, unique, chosen.Key.Length);
    }

    /// <summary>Prepares list entries for <see cref="Best"/>.</summary>
    public static List<(string Key, string Exact, string Value)> Index(IEnumerable<string> values)
        => values.Select(v => (Key(v), Exact(v), v)).ToList();

    /// <summary>Levenshtein distance, giving up above <paramref name="bound"/>.</summary>
    public static int Distance(string a, string b, int bound = int.MaxValue)
    {
        if (a == b) return 0;
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMin = current[0];
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                rowMin = Math.Min(rowMin, current[j]);
            }
            if (rowMin > bound) return bound + 1;
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
