using Pipeline.Functions.Digitise;

namespace Pipeline.Functions.Extraction;

/// <summary>
/// Reads the metadata of a Vietnamese official document — state (Decree 30/2020/NĐ-CP) or Party
/// (ĐẢNG CỘNG SẢN VIỆT NAM) layout — from the OCR words of its pages and their positions. Pure: no I/O besides
/// the embedded lexicon.
/// </summary>
public static class OfficialDocumentExtractor
{
    /// <summary>
    /// Extracts the fields. <paramref name="pages"/> is the OCR of each page in order. Values are repaired only
    /// where the format or the lexicon proves the reading wrong, never invented: a field that cannot be read is
    /// null (or empty) with confidence 0.
    /// </summary>
    public static OfficialDocumentFields Extract(IReadOnlyList<OcrPage> pages)
    {
        ArgumentNullException.ThrowIfNull(pages);
        if (pages.Count == 0 || pages.All(p => p.Words.Count == 0))
            return Empty(pages.Count);

        var layouts = pages.Select((p, i) => PageLayout.Rows(p, i)).ToList();
        var header = HeaderReader.Read(pages[0], layouts[0]);
        var footer = FooterReader.Read(layouts, pages.Select(p => p.Width).ToList(), header.Kind);
        var kind = header.Kind ?? KindFromFooter(footer);

        var (type, code, number, symbol) = Agree(header, kind);
        return new OfficialDocumentFields(
            kind, header.Issuer, code, number, symbol, type, header.Summary, header.Place, header.Date,
            footer.Authority, footer.Title, footer.Signer, footer.Recipients, header.Secrecy, header.Urgency,
            pages.Count, Language(pages));
    }

    /// <summary>
    /// Makes the type name of the title line and the type code of the symbol agree: where both were read and
    /// match, both are trusted; where one is missing or misread, the other decides — except that Party QĐ
    /// (Quyết định or Quy định) needs the title.
    /// </summary>
    private static (ExtractedField Type, ExtractedField Code, ExtractedField Number, ExtractedField Symbol) Agree(Header header, string? kind)
    {
        var number = header.Number;
        var ocr = Math.Min(1, header.NumberConfidence + 0.1);
        string? canonical = number?.TypeCode is { } read ? DocumentTypes.CanonicalCode(read, kind, header.TitleType) : null;
        ExtractedField type;
        double codeConfidence;
        if (number is null)
        {
            type = header.TitleType is null ? ExtractedField.Unread : new ExtractedField(header.TitleType, header.TitleConfidence * 0.9);
            return (type, ExtractedField.Unread, ExtractedField.Unread, ExtractedField.Unread);
        }
        var codeNames = number.TypeCode is null ? (IReadOnlyList<string>)["Công văn"] : DocumentTypes.NamesOf(canonical, kind);
        if (header.TitleType is not null && codeNames.Contains(header.TitleType))
        {
            type = new ExtractedField(header.TitleType, Math.Max(header.TitleConfidence, 0.97));
            codeConfidence = 0.98 * ocr;
        }
        else if (header.TitleType is null && codeNames.Count == 1)
        {
            // Công văn has no title line; its symbol (no type code, or Party CV) and the V/v line say so.
            var vv = header.Summary.Value?.StartsWith("V/v", StringComparison.Ordinal) == true;
            type = new ExtractedField(codeNames[0], codeNames[0] == "Công văn" && vv ? 0.97 : 0.85);
            codeConfidence = 0.9 * ocr;
        }
        else if (header.TitleType is not null)
        {
            // The title and the code disagree: the title is printed large and bold, the code is the likelier misreading.
            type = new ExtractedField(header.TitleType, header.TitleConfidence * 0.85);
            codeConfidence = 0.5 * ocr;
        }
        else
        {
            type = ExtractedField.Unread;
            codeConfidence = 0.6 * ocr;
        }
        if (number.TypeCode is not null && canonical is null) codeConfidence = Math.Min(codeConfidence, 0.4);
        var fixedNumber = canonical is null ? number : number with { TypeCode = canonical };
        return (type,
            new ExtractedField(fixedNumber.Code, Math.Round(codeConfidence, 3)),
            new ExtractedField(fixedNumber.Number, Math.Round(Math.Min(0.99, ocr + 0.05) * (codeConfidence > 0.5 ? 1 : 0.8), 3)),
            new ExtractedField(fixedNumber.Symbol, Math.Round(codeConfidence, 3)));
    }

    private static string? KindFromFooter(Footer footer) => footer.Authority.Value switch
    {
        { } a when a.Contains('/') => "party",
        { } a when a.Contains('.') => "state",
        _ => null,
    };

    /// <summary>"vi" when the words carry Vietnamese letters, else "en" for Latin text.</summary>
    private static string Language(IReadOnlyList<OcrPage> pages)
    {
        var words = pages.SelectMany(p => p.Words).Select(w => w.Text).Where(t => t.Any(char.IsLetter)).ToList();
        if (words.Count == 0) return "vi";
        var vietnamese = words.Count(w => w.Any(c => c > 127 && char.IsLetter(c)) || Lexicon.IsSyllable(w));
        return vietnamese >= words.Count * 0.3 ? "vi" : "en";
    }

    private static OfficialDocumentFields Empty(int pages) => new(
        null, ExtractedField.Unread, ExtractedField.Unread, ExtractedField.Unread, ExtractedField.Unread,
        ExtractedField.Unread, ExtractedField.Unread, ExtractedField.Unread, ExtractedField.Unread,
        ExtractedField.Unread, ExtractedField.Unread, ExtractedField.Unread, ExtractedList.Unread,
        ExtractedField.Unread, ExtractedField.Unread, pages, "vi");
}
