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
}
