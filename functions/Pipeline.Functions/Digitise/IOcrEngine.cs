namespace Pipeline.Functions.Digitise;

/// <summary>Reads the words on one page image.</summary>
public interface IOcrEngine
{
    /// <summary>Short name for logs and the document record (e.g. "tesseract").</summary>
    string Name { get; }

    /// <summary>
    /// True when the engine runs on this machine. Secret documents (Mật, Tối mật, Tuyệt mật) may only go to
    /// local engines; a cloud engine returns false.
    /// </summary>
    bool IsLocal { get; }

    /// <summary>
    /// Recognises the page image of <paramref name="request"/>. When <see cref="OcrRequest.TextLayerPdfPath"/> is set,
    /// the engine also writes there a one-page PDF holding only invisible, selectable text at the words' positions,
    /// its page size the image's pixels / <see cref="OcrRequest.Dpi"/> × 72 pt, ready to overlay on the original page.
    /// </summary>
    Task<OcrPage> RecognizeAsync(OcrRequest request, CancellationToken ct = default);
}

/// <summary>One page image to recognise.</summary>
/// <param name="ImagePath">The page image (PGM, PNG, TIFF, JPEG).</param>
/// <param name="Dpi">The resolution the image was rendered at; it sets the text layer's page size and tells the
/// engine how large the letters are.</param>
/// <param name="Languages">Tesseract language codes joined by '+', e.g. "vie+eng".</param>
/// <param name="TextLayerPdfPath">Where to write the invisible-text PDF of the page, or null for words only.</param>
/// <param name="SingleBlock">Read the image as one block of text, without page layout analysis: for a region cut
/// out of a page (a signature block under a stamp) that layout analysis took for a picture.</param>
public sealed record OcrRequest(string ImagePath, int Dpi, string Languages, string? TextLayerPdfPath, bool SingleBlock = false);

/// <summary>What OCR read on one page: the words with their boxes (pixels of the page image) and the text.</summary>
/// <param name="Width">Image width in pixels.</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="Words">Words in reading order.</param>
/// <param name="Text">The page text: lines separated by \n, paragraphs by an empty line; NFC, Vietnamese letters repaired.</param>
public sealed record OcrPage(int Width, int Height, IReadOnlyList<OcrWord> Words, string Text)
{
    /// <summary>The page text of <paramref name="words"/> in reading order: words by spaces, lines by \n, blocks and paragraphs by an empty line.</summary>
    public static string TextOf(IReadOnlyList<OcrWord> words)
    {
        var text = new System.Text.StringBuilder();
        OcrWord? previous = null;
        foreach (var word in words)
        {
            if (previous is not null)
            {
                if (word.Block != previous.Block || word.Paragraph != previous.Paragraph) text.Append("\n\n");
                else if (word.Line != previous.Line) text.Append('\n');
                else text.Append(' ');
            }
            text.Append(word.Text);
            previous = word;
        }
        return text.ToString();
    }
}

/// <summary>One recognised word.</summary>
/// <param name="Text">The word (NFC, Vietnamese letters repaired).</param>
/// <param name="Left">Box left, pixels.</param>
/// <param name="Top">Box top, pixels.</param>
/// <param name="Width">Box width, pixels.</param>
/// <param name="Height">Box height, pixels.</param>
/// <param name="Confidence">The engine's confidence, 0..1.</param>
/// <param name="Block">Block number on the page (layout region).</param>
/// <param name="Paragraph">Paragraph number within the block.</param>
/// <param name="Line">Line number within the paragraph.</param>
public sealed record OcrWord(string Text, int Left, int Top, int Width, int Height, double Confidence, int Block, int Paragraph, int Line);
