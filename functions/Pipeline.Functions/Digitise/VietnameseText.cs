using System.Globalization;
using System.Text;

namespace Pipeline.Functions.Digitise;

/// <summary>Repairs what scanning and OCR typically get wrong in Vietnamese text, without changing its meaning.</summary>
public static class VietnameseText
{
    /// <summary>
    /// NFC (precomposed letters, so search and comparison work) and the Icelandic eth (Ð U+00D0, ð U+00F0),
    /// which OCR engines and old fonts give for the Vietnamese Đ/đ (U+0110/U+0111).
    /// </summary>
    public static string Normalize(string text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        var normalized = text.Normalize(NormalizationForm.FormC);
        return normalized.Replace('\u00D0', '\u0110').Replace('\u00F0', '\u0111');
    }

    /// <summary>
    /// The form search compares: lower case, without diacritics, đ as d, whitespace collapsed — so a clerk typing
    /// "nghi quyet 57" finds "Nghị quyết 57-NQ/TW".
    /// </summary>
    public static string Fold(string text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        var decomposed = Normalize(text).ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var folded = new StringBuilder(decomposed.Length);
        var space = false;
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsWhiteSpace(c))
            {
                space = folded.Length > 0;
                continue;
            }
            if (space) folded.Append(' ');
            space = false;
            folded.Append(c == '\u0111' ? 'd' : c);
        }
        return folded.ToString();
    }
}
