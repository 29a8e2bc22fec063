namespace Pipeline.Functions.Digitise;

/// <summary>
/// A second look at the signature block. The round red stamp pressed over a signature makes Tesseract's page layout
/// analysis take the whole block (authority line, title, signature) for a picture, so it returns no words there and
/// the signer's authority and title are lost. Read again as one plain block of text, that region gives them back.
/// The block sits beside "Nơi nhận" (recipients, bottom left) in both state and Party layouts, so that word anchors it.
/// </summary>
public static class SignatureBlockPass
{
    /// <summary>
    /// The region to read again on <paramref name="page"/>: right of the middle and of the recipients column, from
    /// the "Nơi nhận" line down; null when the page has no "Nơi nhận" (no signature block on it).
    /// </summary>
    public static PixelRegion? RegionToReread(OcrPage page)
    {
        for (var i = 0; i + 1 < page.Words.Count; i++)
        {
            var word = page.Words[i];
            if (VietnameseText.Fold(word.Text) != "noi" || !VietnameseText.Fold(page.Words[i + 1].Text).StartsWith("nhan", StringComparison.Ordinal)) continue;
            // Authority lines often start a little above the recipients' heading.
            var top = Math.Max(0, word.Top - 3 * word.Height);
            // Right of the recipients column, which long items push past the middle: words read again there would
            // be recipients torn in two.
            var recipientsRight = page.Words.Where(w => w.Top >= top && w.Left < page.Width / 2).Select(w => w.Left + w.Width).DefaultIfEmpty(0).Max();
            var left = Math.Max(page.Width / 2, recipientsRight + word.Height);
            if (left >= page.Width - 4 * word.Height) return null;
            return page.Height - top < 2 * word.Height ? null : new PixelRegion(left, top, page.Width - left, page.Height - top);
        }
        return null;
    }

    /// <summary>
    /// <paramref name="page"/> with the words read in <paramref name="region"/> that the first pass did not have (no
    /// overlap with any word it read), moved to page coordinates, as extra blocks. The page text is kept as it was:
    /// the archive's text layer and the plain text stay those of the full-page read.
    /// </summary>
    public static OcrPage Merge(OcrPage page, OcrPage regionRead, PixelRegion region)
    {
        var firstBlock = page.Words.Count == 0 ? 1000 : page.Words.Max(w => w.Block) + 1000;
        var added = regionRead.Words
            .Select(w => w with { Left = w.Left + region.Left, Top = w.Top + region.Top, Block = firstBlock + w.Block })
            .Where(w => w.Text.Any(char.IsLetterOrDigit) && !page.Words.Any(existing => Overlaps(existing, w)))
            .ToList();
        return added.Count == 0 ? page : page with { Words = [.. page.Words, .. added] };
    }

    private static bool Overlaps(OcrWord a, OcrWord b)
        => a.Left < b.Left + b.Width && b.Left < a.Left + a.Width && a.Top < b.Top + b.Height && b.Top < a.Top + a.Height;
}
