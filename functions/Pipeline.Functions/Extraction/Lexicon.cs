using System.Reflection;
using Pipeline.Functions.Digitise;

namespace Pipeline.Functions.Extraction;

/// <summary>
/// The word lists the extractor checks OCR against, embedded in the assembly (Extraction/Lexicon/*.txt) so the
/// service needs no dictionary package at run time. Lines starting with '#' are comments; '|' separates a name's
/// spellings (the first is preferred when OCR left no diacritic to choose by).
/// </summary>
public static class Lexicon
{
    /// <summary>The 34 provinces and centrally-run cities after the 2025 merger, each with its spellings.</summary>
    public static IReadOnlyList<string[]> Provinces { get; } = Load("provinces.txt").Select(l => l.Split('|')).ToList();

    /// <summary>Commune, ward and former district names.</summary>
    public static IReadOnlyList<string[]> Communes { get; } = Load("communes.txt").Select(l => l.Split('|')).ToList();

    /// <summary>Issuing-body lines; entries ending in " +" are heads followed by a place name.</summary>
    public static IReadOnlyList<string> Bodies { get; } = Load("bodies.txt");

    /// <summary>Signer titles.</summary>
    public static IReadOnlyList<string> Titles { get; } = Load("titles.txt");

    /// <summary>What follows TM./KT./T/M… in the authority line.</summary>
    public static IReadOnlyList<string> Authorities { get; } = Load("authorities.txt");

    /// <summary>Syllables of Vietnamese personal names, most common first.</summary>
    public static IReadOnlyList<string> NameSyllables { get; } =
        Load("names.txt").SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct().ToList();

    /// <summary>Administrative words and phrases, one or more syllables each.</summary>
    public static IReadOnlyList<string> Words { get; } = Load("words.txt");

    /// <summary>The usual items under "Nơi nhận:".</summary>
    public static IReadOnlyList<string> Recipients { get; } = Load("recipients.txt");

    /// <summary>Every Vietnamese syllable (lower case) from hunspell-vi.</summary>
    public static IReadOnlySet<string> Syllables { get; } = Load("syllables.txt").ToHashSet(StringComparer.Ordinal);

    /// <summary>Every place name spelling, provinces first, upper and title case as printed.</summary>
    public static IReadOnlyList<string[]> Places { get; } = Provinces.Concat(Communes).ToList();

    /// <summary>True when <paramref name="word"/> (any case) is a Vietnamese syllable.</summary>
    public static bool IsSyllable(string word) => Syllables.Contains(word.ToLowerInvariant());

    private static List<string> Load(string name)
    {
        var assembly = typeof(Lexicon).Assembly;
        var resource = assembly.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith(".Lexicon." + name, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"Lexicon resource {name} is not embedded; see Pipeline.Functions.csproj.");
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n')
            .Select(l => VietnameseText.Normalize(l.Trim()))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();
    }
}
