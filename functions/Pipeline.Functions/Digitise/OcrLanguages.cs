using System.Text.RegularExpressions;

namespace Pipeline.Functions.Digitise;

/// <summary>Tesseract language lists (<c>vie</c>, <c>vie+eng</c>): checked before they reach a command line.</summary>
public static partial class OcrLanguages
{
    /// <summary>True for a list of language codes joined by <c>+</c> (e.g. <c>vie+eng</c>, <c>chi_sim</c>).</summary>
    public static bool IsValid(string? languages) => languages is { Length: <= 64 } && LanguageList().IsMatch(languages);

    /// <summary>The languages installed for Tesseract here (<c>tesseract --list-langs</c>), read once.</summary>
    public static async Task<IReadOnlySet<string>> InstalledAsync(CancellationToken ct = default)
    {
        var result = await ExternalTool.RunAsync("tesseract", ["--list-langs"], ct);
        return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("List of", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
    }

    [GeneratedRegex("^[a-z_]{3,}(\\+[a-z_]{3,})*$")]
    private static partial Regex LanguageList();
}
