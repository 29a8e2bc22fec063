namespace Pipeline.Functions.Extraction;

/// <summary>
/// A signer's name: two to six capitalised syllables. Names are not dictionary words, so a syllable is only
/// respelled when OCR dropped all its marks and exactly one common name syllable has its letters (Hoang → Hoàng);
/// otherwise it stays as read and the confidence says how much of it the name list vouches for.
/// </summary>
internal static class PersonalName
{
    private static readonly Dictionary<string, List<string>> ByKey = Lexicon.NameSyllables
        .GroupBy(Fuzzy.Key).ToDictionary(g => g.Key, g => g.ToList());
    private static readonly HashSet<string> Known = Lexicon.NameSyllables.ToHashSet(StringComparer.Ordinal);

    /// <summary>The name on <paramref name="segment"/>, or null when it does not look like one.</summary>
    public static ExtractedField? Read(LayoutSegment segment)
    {
        var words = segment.Words
            .Select(w => (Text: w.Text.Trim('.', ',', ';', ':', '-', '_', '|', '\'', '"', '`'), w.Confidence))
            .Where(w => w.Text.Length > 0).ToList();
        if (words.Count is < 2 or > 6) return null;
        if (!words.All(w => char.IsUpper(w.Text[0]) && w.Text.All(char.IsLetter) && w.Text.Skip(1).All(char.IsLower))) return null;
        var syllables = new List<string>();
        var confidence = 0.98;
        foreach (var (text, ocr) in words)
        {
            if (Known.Contains(text)) { syllables.Add(text); confidence = Math.Min(confidence, Math.Min(0.98, ocr + 0.1)); continue; }
            var bare = Fuzzy.Key(text) == text.ToLowerInvariant();
            // Respelled only when OCR lost the marks (Hoang) or left marks no syllable has (Yén).
            if (ByKey.TryGetValue(Fuzzy.Key(text), out var candidates) && (bare || !Lexicon.IsSyllable(text)))
            {
                syllables.Add(candidates[0]);
                confidence = Math.Min(confidence, candidates.Count == 1 ? (bare ? 0.9 : 0.85) : 0.6);
                continue;
            }
            syllables.Add(text);
            confidence = Math.Min(confidence, Lexicon.IsSyllable(text) ? 0.7 * ocr : 0.3 * ocr);
        }
        return new ExtractedField(string.Join(' ', syllables), Math.Round(confidence, 3));
    }
}
