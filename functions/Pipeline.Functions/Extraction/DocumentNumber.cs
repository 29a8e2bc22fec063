using System.Text.RegularExpressions;

namespace Pipeline.Functions.Extraction;

/// <summary>The "Số" line read into its parts.</summary>
/// <param name="Number">The number: 98.</param>
/// <param name="Year">The year of a legal normative document (193/2025/NQ-QH15), or null.</param>
/// <param name="TypeCode">The type code as read (KH, QD), or null for a state công văn.</param>
/// <param name="Body">The issuing body's code (UBND, TU, VPTU) with any unit after it (UBND-VP).</param>
/// <param name="Party">True for the Party form 57-NQ/TW, false for the state form 98/KH-UBND.</param>
public sealed record DocumentNumber(string Number, string? Year, string? TypeCode, string Body, bool Party)
{
    // Party: number, hyphen, type code, slash, body. State: number, slash, [year, slash,] type code, hyphen, body.
    private static readonly Regex PartyForm = new(@"^(\d{1,5})-([A-Za-zĐđ]{1,4})/([A-Za-zĐđ0-9]+(?:-[A-Za-zĐđ0-9]+)*)$", RegexOptions.CultureInvariant);
    private static readonly Regex StateForm = new(@"^(\d{1,5})/(?:(\d{4})/)?([A-Za-zĐđ0-9]+)(?:-([A-Za-zĐđ0-9]+(?:-[A-Za-zĐđ0-9]+)*))?$", RegexOptions.CultureInvariant);

    // Codes with Đ, which OCR often reads as D; the letters alone would not tell (HD is Hướng dẫn, HĐ Hợp đồng).
    private static readonly string[] BodyCodesWithD = ["ĐU", "ĐUK", "BCĐTW", "BCĐ", "HĐND", "ĐĐBQH", "ĐTN", "ĐKT"];

    /// <summary>The code as printed: 98/KH-UBND, 57-NQ/TW.</summary>
    public string Code => Party ? $"{Number}-{TypeCode}/{Body}" : $"{Number}/{Symbol}";

    /// <summary>The code after the number: KH-UBND, NQ/TW, 2025/NQ-QH15, UBND-VP.</summary>
    public string Symbol => Party ? $"{TypeCode}/{Body}"
        : (Year is null ? "" : Year + "/") + (TypeCode is null ? Body : $"{TypeCode}-{Body}");

    /// <summary>
    /// Reads the code from the text after "Số". Spaces OCR put around the separators are removed and letters it
    /// read for digits in the number (O for 0, l for 1) are put back; anything else that does not fit either
    /// form gives null.
    /// </summary>
    public static DocumentNumber? Parse(string text, Func<string, bool> isTypeCode)
    {
        var compact = Regex.Replace(text, @"\s+", "").Replace('–', '-').Replace('—', '-').TrimEnd('.', ',', ';', ':');
        var separator = compact.IndexOfAny(['/', '-']);
        if (separator <= 0) return null;
        compact = DigitsOf(compact[..separator]) + compact[separator..];
        var party = PartyForm.Match(compact);
        if (party.Success)
            return new DocumentNumber(party.Groups[1].Value, null, party.Groups[2].Value, FixBody(party.Groups[3].Value), true);
        var state = StateForm.Match(compact);
        if (!state.Success) return null;
        var first = state.Groups[3].Value;
        var rest = state.Groups[4].Success ? state.Groups[4].Value : null;
        // A công văn has no type code: what follows the slash is the body (12/UBND-VP).
        return rest is not null && isTypeCode(first)
            ? new DocumentNumber(state.Groups[1].Value, state.Groups[2].Success ? state.Groups[2].Value : null, first, FixBody(rest), false)
            : new DocumentNumber(state.Groups[1].Value, state.Groups[2].Success ? state.Groups[2].Value : null, null, FixBody(rest is null ? first : $"{first}-{rest}"), false);
    }

    private static string DigitsOf(string number) => new(number.Select(c => c switch
    {
        'O' or 'o' or 'Q' or 'D' => '0',
        'l' or 'I' or '|' or 'i' => '1',
        'S' => '5',
        'B' => '8',
        _ => c,
    }).ToArray());

    private static string FixBody(string body) => string.Join('-', body.Split('-').Select(part =>
        BodyCodesWithD.FirstOrDefault(code => Fuzzy.Key(code) == Fuzzy.Key(part) && part.All(char.IsUpper)) ?? part));
}
