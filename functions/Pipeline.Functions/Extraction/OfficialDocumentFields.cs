namespace Pipeline.Functions.Extraction;

/// <summary>One extracted value with how far a reviewer can trust it.</summary>
/// <param name="Value">The value as printed (repaired where the format or the lexicon proves the reading wrong), or null.</param>
/// <param name="Confidence">0..1, calibrated on the corpus so that values at or above the review threshold (0.9) are
/// right at least 98 % of the time. A value that could not be read is null with confidence 0; a value that is
/// absent by the format (no secrecy stamp, no authority line) is null with a confidence that it is indeed absent.</param>
public sealed record ExtractedField(string? Value, double Confidence)
{
    /// <summary>Nothing could be read: null, confidence 0.</summary>
    public static readonly ExtractedField Unread = new(null, 0);
}

/// <summary>A list value (recipients) with one confidence for the whole list.</summary>
public sealed record ExtractedList(IReadOnlyList<string> Value, double Confidence)
{
    /// <summary>Nothing could be read: empty, confidence 0.</summary>
    public static readonly ExtractedList Unread = new([], 0);
}

/// <summary>The metadata of one Vietnamese official document (Decree 30 annex VI) read from its scan.</summary>
/// <param name="Kind">"party" (ĐẢNG CỘNG SẢN VIỆT NAM layout), "state" (Decree 30 layout) or null when neither was recognised.</param>
/// <param name="Issuer">The issuing-body lines, top left, joined by \n, caps as printed.</param>
/// <param name="Code">Number and symbol as printed: 98/KH-UBND, 57-NQ/TW, 193/2025/NQ-QH15.</param>
/// <param name="Number">The number alone: 98.</param>
/// <param name="Symbol">The code after the number: KH-UBND, NQ/TW, 2025/NQ-QH15.</param>
/// <param name="Type">The type name in sentence case: Kế hoạch, Quy định, Công văn.</param>
/// <param name="Summary">The trích yếu: "về …" (lead word lower-cased) or "V/v …" for a công văn.</param>
/// <param name="Place">The place before the date: Nghệ An.</param>
/// <param name="Date">The issue date, yyyy-MM-dd.</param>
/// <param name="SignerAuthority">TM. …, KT. …, T/M …, T/L … or null when the signer signs in their own name.</param>
/// <param name="SignerTitle">The signer's title: CHỦ TỊCH, PHÓ BÍ THƯ.</param>
/// <param name="Signer">The signer's name: Nguyễn Văn An.</param>
/// <param name="Recipients">The items under "Nơi nhận:" without the leading "- " and trailing ",;.".</param>
/// <param name="Secrecy">MẬT, TỐI MẬT, TUYỆT MẬT as printed, or null.</param>
/// <param name="Urgency">KHẨN, THƯỢNG KHẨN, HỎA TỐC or HOẢ TỐC as printed, or null.</param>
/// <param name="Pages">Number of pages read.</param>
/// <param name="Language">ISO 639-1 code of the text: "vi" for Vietnamese.</param>
public sealed record OfficialDocumentFields(
    string? Kind,
    ExtractedField Issuer,
    ExtractedField Code,
    ExtractedField Number,
    ExtractedField Symbol,
    ExtractedField Type,
    ExtractedField Summary,
    ExtractedField Place,
    ExtractedField Date,
    ExtractedField SignerAuthority,
    ExtractedField SignerTitle,
    ExtractedField Signer,
    ExtractedList Recipients,
    ExtractedField Secrecy,
    ExtractedField Urgency,
    int Pages,
    string Language);
