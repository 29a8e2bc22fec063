namespace Pipeline.Functions.Extraction;

/// <summary>
/// The secrecy and urgency stamps printed under the number (MẬT, TỐI MẬT, TUYỆT MẬT; KHẨN, THƯỢNG KHẨN,
/// HỎA TỐC or HOẢ TỐC). OCR reads the box around them as stray bars and often drops their marks.
/// </summary>
internal static class Stamps
{
    private static readonly string[] Secrecy = ["TUYỆT MẬT", "TỐI MẬT", "MẬT"];
    private static readonly string[] Urgency = ["THƯỢNG KHẨN", "HỎA TỐC", "HOẢ TỐC", "KHẨN"];

    /// <summary>True when <paramref name="text"/> is one of the stamps.</summary>
    public static bool IsStamp(string text) => Secrecy.Concat(Urgency).Any(s => Fuzzy.Key(s) == Fuzzy.Key(text));

    /// <summary>
    /// The stamps among the left-column rows between the number and the title. Absence is a reading too: when the
    /// number and the title were found close together, no stamp there means none was printed; <paramref name="stampSpace"/>
    /// is the space between them in letter heights, null when either was not found.
    /// </summary>
    public static (ExtractedField Secrecy, ExtractedField Urgency) Read(IEnumerable<LayoutRow> rows, double split, double? stampSpace)
    {
        ExtractedField? secrecy = null, urgency = null;
        foreach (var row in rows)
        {
            if (row.LeftOf(split) is not { } segment) continue;
            var key = Fuzzy.Key(segment.Text);
            var exact = Fuzzy.Exact(segment.Text);
            var ocr = segment.MinConfidence;
            foreach (var stamp in Secrecy)
                if (secrecy is null && key == Fuzzy.Key(stamp))
                    secrecy = new ExtractedField(stamp, exact == Fuzzy.Exact(stamp) ? 0.99 : 0.95);
            foreach (var stamp in Urgency)
            {
                if (urgency is not null || key != Fuzzy.Key(stamp)) continue;
                if (stamp.StartsWith('H')) urgency = HoaToc(segment.Text, ocr);
                else urgency = new ExtractedField(stamp, exact == Fuzzy.Exact(stamp) ? 0.99 : 0.95);
            }
        }
        var absent = stampSpace switch { null => 0.8, < 5 => 0.95, _ => secrecy is null && urgency is null ? 0.4 : 0.9 };
        return (secrecy ?? new ExtractedField(null, absent), urgency ?? new ExtractedField(null, absent));
    }

    /// <summary>
    /// HỎA TỐC and HOẢ TỐC are both in use; the value keeps the printed one, told by which vowel carries the hook.
    /// When OCR lost the hook there is nothing to tell them by: the older placement, common on Party and
    /// provincial stamps, is given with a confidence that sends it to review.
    /// </summary>
    private static ExtractedField HoaToc(string read, double ocr)
    {
        var word = read.Trim().Split(' ')[0].ToUpperInvariant();
        if (word.Contains('Ỏ')) return new ExtractedField("HỎA TỐC", 0.97);
        if (word.Contains('Ả')) return new ExtractedField("HOẢ TỐC", 0.97);
        return new ExtractedField("HOẢ TỐC", 0.6);
    }
}
