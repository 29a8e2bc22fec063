using System.Text.RegularExpressions;

namespace Pipeline.Functions.Digitise;

/// <summary>Tesseract language lists (<c>vie</c>, <c>vie+eng</c>): checked before they reach a command line.</summary>
public static partial class OcrLanguages
{
    /// <summary>True for a list of language codes joined by <c>+</c> (e.g. <c>vie+eng</c>, <c>chi_sim</c>).</summary>
    public static bool IsValid(string? languages) => languages is { Length: <= 64 } && LanguageList().IsMatch(languages);

    [GeneratedRegex("^[a-z_]{3,}(\\+[a-z_]{3,})*$")]
    private static partial Regex LanguageList();
}
