namespace Pipeline.Functions.Extraction;

/// <summary>A type of document and the code its symbol carries.</summary>
/// <param name="Name">The type name in sentence case, as the metadata records it: Kế hoạch.</param>
/// <param name="Code">The type code in the symbol (KH), or null for a state công văn, whose symbol has none.</param>
public sealed record DocumentType(string Name, string? Code);

/// <summary>
/// The type codes of the two formats. The code in the symbol and the title line say the same thing twice, so
/// each can repair the other; Party QĐ is both Quyết định and Quy định, which only the title tells apart.
/// </summary>
public static class DocumentTypes
{
    /// <summary>Decree 30/2020/NĐ-CP annex III.</summary>
    public static IReadOnlyList<DocumentType> State { get; } =
    [
        new("Nghị quyết", "NQ"), new("Quyết định", "QĐ"), new("Chỉ thị", "CT"), new("Quy chế", "QC"),
        new("Quy định", "QyĐ"), new("Thông cáo", "TC"), new("Thông báo", "TB"), new("Hướng dẫn", "HD"),
        new("Chương trình", "CTr"), new("Kế hoạch", "KH"), new("Phương án", "PA"), new("Đề án", "ĐA"),
        new("Dự án", "DA"), new("Báo cáo", "BC"), new("Biên bản", "BB"), new("Tờ trình", "TTr"),
        new("Hợp đồng", "HĐ"), new("Công điện", "CĐ"), new("Giấy mời", "GM"), new("Giấy giới thiệu", "GGT"),
        new("Phiếu gửi", "PG"), new("Phiếu chuyển", "PC"), new("Phiếu báo", "PB"), new("Công văn", null),
    ];

    /// <summary>The Party's guidance on document formats.</summary>
    public static IReadOnlyList<DocumentType> Party { get; } =
    [
        new("Nghị quyết", "NQ"), new("Quyết định", "QĐ"), new("Quy định", "QĐ"), new("Chỉ thị", "CT"),
        new("Kết luận", "KL"), new("Quy chế", "QC"), new("Thông báo", "TB"), new("Hướng dẫn", "HD"),
        new("Thông tri", "TT"), new("Báo cáo", "BC"), new("Kế hoạch", "KH"), new("Chương trình", "CTr"),
        new("Tờ trình", "TTr"), new("Đề án", "ĐA"), new("Phương án", "PA"), new("Công văn", "CV"),
        new("Biên bản", "BB"),
    ];

    /// <summary>The types of a format ("party" or anything else for state).</summary>
    public static IReadOnlyList<DocumentType> Of(string? kind) => kind == "party" ? Party : State;

    /// <summary>
    /// The canonical code OCR's <paramref name="reading"/> stands for (QD → QĐ, TTR → TTr), preferring the one of
    /// <paramref name="titleType"/> when two codes fold alike (HD Hướng dẫn, HĐ Hợp đồng), or null when none does.
    /// </summary>
    public static string? CanonicalCode(string reading, string? kind, string? titleType)
    {
        var key = Fuzzy.Key(reading);
        var candidates = Of(kind).Where(t => t.Code is not null && Fuzzy.Key(t.Code) == key).ToList();
        if (candidates.Count == 0) return null;
        var exact = candidates.FirstOrDefault(t => t.Code == reading);
        var ofTitle = candidates.FirstOrDefault(t => t.Name == titleType);
        return (ofTitle ?? exact ?? candidates[0]).Code;
    }

    /// <summary>The type names a code stands for in a format.</summary>
    public static IReadOnlyList<string> NamesOf(string? code, string? kind)
        => Of(kind).Where(t => t.Code == code).Select(t => t.Name).ToList();

    /// <summary>Every type name in capitals, as the title line prints it, with the name it stands for.</summary>
    public static List<(string Key, string Exact, string Value)> TitleIndex(string? kind)
        => Fuzzy.Index(Of(kind).Where(t => t.Name != "Công văn").Select(t => t.Name));
}
