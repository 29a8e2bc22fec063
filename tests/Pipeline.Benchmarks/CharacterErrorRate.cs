using System.Text;

namespace Pipeline.Benchmarks;

/// <summary>
/// Character error rate of OCR text against a reference, as the digitise benchmark defines it: both texts
/// normalised (<see cref="Normalise"/>), then CER = Levenshtein(reference, hypothesis) / length(reference),
/// lengths and edits counted in Unicode code points. Over a corpus: total edits / total reference characters.
/// </summary>
internal static class CharacterErrorRate
{
    public readonly record struct Score(long Edits, long ReferenceLength)
    {
        public double Rate => ReferenceLength == 0 ? (Edits == 0 ? 0 : 1) : (double)Edits / ReferenceLength;

        public static Score operator +(Score a, Score b) => new(a.Edits + b.Edits, a.ReferenceLength + b.ReferenceLength);
    }

    /// <summary>
    /// NFC; Ð (U+00D0, Icelandic eth, which OCR and some fonts confuse with it) → Đ (U+0110); every run of
    /// whitespace — spaces, tabs, line breaks, the form feed between pages, no-break spaces — → one space; trimmed.
    /// </summary>
    public static string Normalise(string text)
    {
        var nfc = text.Normalize(NormalizationForm.FormC).Replace('\u00D0', '\u0110');
        var sb = new StringBuilder(nfc.Length);
        var pendingSpace = false;
        foreach (var c in nfc)
        {
            if (char.IsWhiteSpace(c) || c is '\u200B' or '\uFEFF')
            {
                pendingSpace = sb.Length > 0;
                continue;
            }
            if (pendingSpace) sb.Append(' ');
            pendingSpace = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Edits and reference length of <paramref name="hypothesis"/> against <paramref name="reference"/>, both normalised here.</summary>
    public static Score Compute(string reference, string hypothesis)
    {
        var r = CodePoints(Normalise(reference));
        var h = CodePoints(Normalise(hypothesis));
        return new Score(Levenshtein(r, h), r.Length);
    }

    /// <summary>Unit-cost Levenshtein distance (insert, delete, substitute), O(|a|·|b|) time, O(|b|) memory.</summary>
    public static int Levenshtein(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        if (a.Length == 0) return b.Length;
        if (b.Length == 0) return a.Length;
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var ai = a[i - 1];
            for (var j = 1; j <= b.Length; j++)
            {
                var substitute = previous[j - 1] + (ai == b[j - 1] ? 0 : 1);
                var delete = previous[j] + 1;
                var insert = current[j - 1] + 1;
                current[j] = Math.Min(substitute, Math.Min(delete, insert));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    public static int[] CodePoints(string s)
    {
        var list = new List<int>(s.Length);
        foreach (var rune in s.EnumerateRunes()) list.Add(rune.Value);
        return [.. list];
    }

    /// <summary>
    /// Checks the definition on small known examples; throws if any is wrong. Run at benchmark start
    /// (the benchmark project has no test project of its own).
    /// </summary>
    public static void SelfCheck()
    {
        void Expect(string what, long actual, long expected)
        {
            if (actual != expected)
                throw new InvalidOperationException($"CharacterErrorRate self-check failed: {what}: got {actual}, expected {expected}.");
        }

        Expect("kitten/sitting", Levenshtein(CodePoints("kitten"), CodePoints("sitting")), 3);
        Expect("empty reference", Levenshtein([], CodePoints("abc")), 3);
        Expect("empty hypothesis", Levenshtein(CodePoints("abc"), []), 3);
        Expect("identical", Levenshtein(CodePoints("Quyết định"), CodePoints("Quyết định")), 0);
        // Whitespace, page breaks and case of layout: only the characters count.
        Expect("whitespace collapsed", Compute("Số 98/KH-SKHCN\nHà Nội", "  Số 98/KH-SKHCN \f\r\n  Hà\tNội \n").Edits, 0);
        // NFD (decomposed) hypothesis against NFC reference: equal after normalisation.
        Expect("NFC", Compute("Tiếng Việt", "Tiếng Việt".Normalize(NormalizationForm.FormD)).Edits, 0);
        Expect("NFC length in code points", Compute("Tiếng Việt", "").ReferenceLength, 10);
        // Ð (eth) read for Đ is not an error.
        Expect("eth", Compute("ĐẢNG BỘ", "\u00D0ẢNG BỘ").Edits, 0);
        // A wrong tone mark is one substitution (precomposed character), a missing word its letters plus a space.
        var tone = Compute("Nghị quyết", "Nghị quyét");
        Expect("tone edits", tone.Edits, 1);
        Expect("tone length", tone.ReferenceLength, 10);
        Expect("missing word", Compute("ngày 18 tháng 5", "ngày 18 5").Edits, 6);
        // Corpus CER sums edits and reference lengths, it does not average rates.
        var corpus = Compute("abcd", "abce") + Compute("ab", "");
        Expect("corpus edits", corpus.Edits, 3);
        Expect("corpus length", corpus.ReferenceLength, 6);
        if (Math.Abs(corpus.Rate - 0.5) > 1e-12) throw new InvalidOperationException($"CharacterErrorRate self-check failed: corpus rate {corpus.Rate}.");
    }
}
