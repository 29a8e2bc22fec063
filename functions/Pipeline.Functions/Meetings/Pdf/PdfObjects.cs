using System.Globalization;
using System.Text;

namespace Pipeline.Functions.Meetings.Pdf;

/// <summary>How numbers, strings and names are spelled in PDF syntax (ISO 32000-1 §7.3).</summary>
internal static class PdfObjects
{
    /// <summary>A real number with at most <paramref name="decimals"/> decimals, invariant culture, never "-0" or an exponent.</summary>
    /// <remarks>Three decimals (1/1000 pt) are far below what any device shows; rotation matrices get six so a turned
    /// glyph is not visibly scaled. A fixed precision keeps the output byte-identical for the same input.</remarks>
    public static string Number(double value, int decimals = 3)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "PDF numbers must be finite.");
        var text = Math.Round(value, decimals, MidpointRounding.AwayFromZero).ToString("0." + new string('#', decimals), CultureInfo.InvariantCulture);
        return text == "-0" ? "0" : text;
    }

    /// <summary>An indirect reference to object <paramref name="number"/>.</summary>
    public static string Ref(int number) => number.ToString(CultureInfo.InvariantCulture) + " 0 R";

    /// <summary>A text string (titles, bookmarks) as UTF-16BE with a byte order mark, written in hex so no escaping is needed.</summary>
    public static string TextString(string text)
    {
        var hex = new StringBuilder("<FEFF");
        foreach (var c in text.Normalize(NormalizationForm.FormC)) hex.Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
        return hex.Append('>').ToString();
    }

    /// <summary>A name object from <paramref name="value"/>, keeping only characters that never need escaping.</summary>
    public static string Name(string value)
    {
        var name = new StringBuilder("/");
        foreach (var c in value) if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '+') name.Append(c);
        return name.ToString();
    }

    /// <summary>A glyph id as the 2-byte code Identity-H expects.</summary>
    public static string GlyphCode(ushort glyph) => glyph.ToString("X4", CultureInfo.InvariantCulture);
}
