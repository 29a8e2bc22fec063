using System.Text;

namespace Pipeline.Functions.Meetings.Pdf;

/// <summary>
/// The TrueType fonts a <see cref="PdfWriter"/> embeds (one per <see cref="PdfFontStyle"/>), and text measurement
/// with exactly the widths the PDF will carry, so layout computed here is what a viewer draws.
/// </summary>
/// <remarks>Immutable and thread-safe: one instance serves any number of writers at once.</remarks>
public sealed class PdfFonts
{
    /// <summary>Where the default family lives and which Debian package puts it there.</summary>
    /// <remarks>DejaVu Serif, not Liberation Serif (metric-compatible with Times New Roman, the face of official
    /// documents): Debian 12's fonts-liberation 1.07 has no Ơ, Ư nor any letter of U+1EA0–U+1EF9, so most
    /// Vietnamese words would print as '?'. DejaVu Serif covers every Vietnamese letter in all three faces.</remarks>
    private const string DefaultDirectory = "/usr/share/fonts/truetype/dejavu/", DefaultPackage = "fonts-dejavu-core";

    private static readonly Lock DefaultGate = new();
    private static PdfFonts? _default;
    private readonly TrueTypeFont[] _faces;

    private PdfFonts(TrueTypeFont regular, TrueTypeFont bold, TrueTypeFont italic) => _faces = [regular, bold, italic];

    /// <summary>DejaVu Serif (Book, Bold, Italic) from fonts-dejavu-core, loaded on first use and then shared.</summary>
    /// <exception cref="InvalidOperationException">A font file is missing; the message names it and the package to install.
    /// Nothing is cached on failure, so installing the package fixes a running process.</exception>
    public static PdfFonts Default
    {
        get
        {
            if (Volatile.Read(ref _default) is { } fonts) return fonts;
            lock (DefaultGate)
                return _default ??= Load(DefaultDirectory + "DejaVuSerif.ttf", DefaultDirectory + "DejaVuSerif-Bold.ttf",
                    DefaultDirectory + "DejaVuSerif-Italic.ttf");
        }
    }

    /// <summary>Loads a family from three TrueType (glyf-outline) files.</summary>
    /// <exception cref="InvalidOperationException">A file is missing (the message names it and, for Debian's font
    /// directories, the package to install), or is not a usable TrueType font.</exception>
    public static PdfFonts Load(string regularPath, string boldPath, string italicPath)
        => new(Open(regularPath), Open(boldPath), Open(italicPath));

    /// <summary>The advance width of <paramref name="text"/> in points, as it will be drawn (same substitutions:
    /// NFC, tab as space, control characters dropped, missing characters as '?'; no kerning).</summary>
    public double Width(string text, PdfFontStyle style, double size)
    {
        var face = Face(style);
        var units = 0L;
        foreach (var (_, glyph) in face.Glyphs(text.Normalize(NormalizationForm.FormC))) units += face.Width(glyph);
        return units * size / 1000;
    }

    /// <summary>How far the face reaches above the baseline at <paramref name="size"/>, in points.</summary>
    public double Ascent(PdfFontStyle style, double size) => Face(style).Ascent * size / Face(style).UnitsPerEm;

    /// <summary>How far the face reaches below the baseline at <paramref name="size"/>, in points (negative).</summary>
    public double Descent(PdfFontStyle style, double size) => Face(style).Descent * size / Face(style).UnitsPerEm;

    /// <summary>True when the face has a glyph for <paramref name="codePoint"/> (otherwise it is drawn as '?').</summary>
    public bool Covers(int codePoint, PdfFontStyle style) => Face(style).GlyphFor(codePoint) != 0;

    internal TrueTypeFont Face(PdfFontStyle style) => _faces[(int)style];

    private static TrueTypeFont Open(string path)
    {
        if (File.Exists(path)) return new TrueTypeFont(path);
        var package = path switch
        {
            _ when path.Contains("/truetype/dejavu/") => DefaultPackage,
            _ when path.Contains("/truetype/liberation2/") => "fonts-liberation2",
            _ when path.Contains("/truetype/liberation/") => "fonts-liberation",
            _ => null,
        };
        throw new InvalidOperationException(package is null
            ? $"Font file {path} is missing."
            : $"Font file {path} is missing: install the Debian package {package} (apt-get install {package}).");
    }
}
