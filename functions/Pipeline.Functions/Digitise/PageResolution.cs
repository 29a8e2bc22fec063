namespace Pipeline.Functions.Digitise;

/// <summary>The resolution a page is rasterised at for OCR.</summary>
public static class PageResolution
{
    /// <summary>Below this Tesseract guesses its own resolution and text sizes go wrong; lower native scans are upsampled to it.</summary>
    public const int MinimumDpi = 70;

    /// <summary>
    /// The page's native scan resolution (every pixel the scanner recorded), or <paramref name="defaultDpi"/> for a page
    /// without images, at least <see cref="MinimumDpi"/>; lowered only as far as needed to keep the page within
    /// <paramref name="maxPixels"/>. Below <see cref="MinimumDpi"/> only for a page too large to read at all.
    /// </summary>
    public static int Choose(PdfPageInfo page, long maxPixels, int defaultDpi)
    {
        var dpi = Math.Max(MinimumDpi, page.NativeDpi is > 0 ? page.NativeDpi.Value : defaultDpi);
        var squareInches = page.WidthPt / 72.0 * (page.HeightPt / 72.0);
        if (squareInches <= 0) return dpi;
        var fitting = (int)Math.Floor(Math.Sqrt(maxPixels / squareInches));
        return Math.Max(1, Math.Min(dpi, fitting));
    }

    /// <summary>Pixels of the page rendered at <paramref name="dpi"/>.</summary>
    public static long Pixels(PdfPageInfo page, int dpi)
        => (long)Math.Ceiling(page.WidthPt / 72.0 * dpi) * (long)Math.Ceiling(page.HeightPt / 72.0 * dpi);
}
