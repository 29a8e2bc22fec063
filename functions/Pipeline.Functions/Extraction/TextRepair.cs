using System.Globalization;
using Pipeline.Functions.Digitise;

namespace Pipeline.Functions.Extraction;

/// <summary>A repaired run of text and how much of it the lexicon vouches for.</summary>
/// <param name="Text">The text.</param>
/// <param name="Checked">Share of its syllables that are real Vietnamese syllables (hunspell-vi) or part of a known word, 0..1.</param>
/// <param name="Corrected">True when some syllable was changed.</param>
public sealed record RepairedText(string Text, double Checked, bool Corrected);

/// <summary>
/// Restores the diacritics OCR drops from mixed-case text (a trích yếu, a recipient): a run of syllables whose
/// folded letters are one administrative word of the lexicon, and no other, takes that word's spelling. A run
/// OCR read with its marks is left alone unless those marks make it no word at all.
/// </summary>
public static class TextRepair
{
    private static readonly Dictionary<string, List<string[]>> Phrases = BuildPhrases();
    private const int LongestPhrase = 5;

    /// <summary>Repairs <paramref name="text"/> syllable by syllable, longest known words first.</summary>
    public static RepairedText Repair(string text)
    {
        var tokens = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Token.Of).ToList();
        var vouched = new bool[tokens.Count];
        var corrected = false;
        for (var i = 0; i < tokens.Count;)
        {
            var matched = 0;
            for (var n = Math.Min(LongestPhrase, tokens.Count - i); n >= 1 && matched == 0; n--)
            {
                var run = tokens.GetRange(i, n);
                if (run.Any(t => t.Core.Length == 0)) continue;
                // Punctuation inside a run ends a word, except where the lexicon has it (sở, ban, ngành).
                if (!Phrases.TryGetValue(string.Join(' ', run.Select(t => Fuzzy.Key(t.Core))), out var spellings)) continue;
                var read = run.Select(t => t.Core.ToLowerInvariant()).ToArray();
                var same = spellings.FirstOrDefault(s => s.Select(x => x.ToLowerInvariant()).SequenceEqual(read));
                if (same is not null) { matched = n; break; }
                // Several spellings fold alike (tính/tỉnh): only a reading with no marks at all is repaired, and only
                // when a longer word or a single spelling decides.
                var bare = run.All(t => Fuzzy.Key(t.Core) == t.Core.ToLowerInvariant().Replace("đ", "d"));
                var invalid = run.Any(t => !Lexicon.IsSyllable(t.Core));
                if (spellings.Count == 1 && (bare || invalid || n >= 2))
                {
                    for (var k = 0; k < n; k++) tokens[i + k] = tokens[i + k] with { Core = MatchCase(spellings[0][k], tokens[i + k].Core) };
                    corrected = true;
                    matched = n;
                }
            }
            if (matched > 0)
            {
                for (var k = 0; k < matched; k++) vouched[i + k] = true;
                i += matched;
            }
            else
            {
                vouched[i] = tokens[i].Core.Length == 0 || Lexicon.IsSyllable(tokens[i].Core) || tokens[i].Core.Any(char.IsDigit) || IsAcronym(tokens[i].Core);
                i++;
            }
        }
        var share = tokens.Count == 0 ? 0 : vouched.Count(v => v) / (double)tokens.Count;
        return new RepairedText(string.Join(' ', tokens.Select(t => t.ToString())), share, corrected);
    }

    /// <summary>True for all-capital abbreviations (UBND, HĐND, PCT, VT) and codes (57-NQ/TW), which no dictionary holds.</summary>
    public static bool IsAcronym(string core) => core.Length >= 2 && core.Count(char.IsUpper) >= 2;

    /// <summary>Gives <paramref name="spelling"/> the capitalisation OCR saw on <paramref name="read"/>.</summary>
    public static string MatchCase(string spelling, string read)
    {
        if (read.Length > 1 && read.All(c => !char.IsLetter(c) || char.IsUpper(c))) return spelling.ToUpperInvariant();
        if (read.Length > 0 && char.IsUpper(read[0])) return char.ToUpperInvariant(spelling[0]) + spelling[1..];
        return spelling;
    }

    private static Dictionary<string, List<string[]>> BuildPhrases()
    {
        var phrases = new Dictionary<string, List<string[]>>();
        foreach (var word in Lexicon.Words)
        {
            var syllables = word.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => Token.Of(s).Core).ToArray();
            var key = string.Join(' ', syllables.Select(Fuzzy.Key));
            if (!phrases.TryGetValue(key, out var list)) phrases[key] = list = [];
            if (!list.Any(l => l.SequenceEqual(syllables))) list.Add(syllables);
        }
        return phrases;
    }

    /// <summary>A whitespace-separated token: punctuation around a core of letters and digits.</summary>
    private sealed record Token(string Lead, string Core, string Trail)
    {
        public static Token Of(string raw)
        {
            var start = 0;
            while (start < raw.Length && !char.IsLetterOrDigit(raw[start])) start++;
            var end = raw.Length;
            while (end > start && !char.IsLetterOrDigit(raw[end - 1])) end--;
            return new Token(raw[..start], raw[start..end], raw[end..]);
        }

        public override string ToString() => Lead + Core + Trail;
    }
}
