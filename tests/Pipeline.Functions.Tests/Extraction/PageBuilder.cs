using Pipeline.Functions.Digitise;

namespace Pipeline.Functions.Tests.Extraction;

/// <summary>
/// Lays out OCR words as a scanner's A4 page at 200 dpi would show them (1654 × 2338 px), so extraction rules can
/// be tested on hand-written layouts: each line is placed at a left edge and a top, its words spaced like print.
/// </summary>
internal sealed class PageBuilder
{
    public const int Width = 1654, Height = 2338;
    private readonly List<OcrWord> _words = [];
    private int _block;

    /// <summary>Places <paramref name="text"/> with its first word at (<paramref name="left"/>, <paramref name="top"/>).</summary>
    public PageBuilder Line(int left, int top, string text, double confidence = 0.95, int height = 30)
    {
        _block++;
        var x = left;
        var n = 0;
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var width = (int)(word.Length * 0.6 * height);
            _words.Add(new OcrWord(word, x, top, width, height, confidence, _block, 1, ++n));
            x += width + height / 3;
        }
        return this;
    }

    /// <summary>Places <paramref name="text"/> centred on <paramref name="centre"/>.</summary>
    public PageBuilder Centred(int centre, int top, string text, double confidence = 0.95, int height = 30)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var width = words.Sum(w => (int)(w.Length * 0.6 * height)) + (words.Length - 1) * (height / 3);
        return Line(centre - width / 2, top, text, confidence, height);
    }

    public OcrPage Build() => new(Width, Height, _words, string.Join(' ', _words.Select(w => w.Text)));

    /// <summary>A state (Decree 30) first page header: issuer and number left, heading and date right.</summary>
    public static PageBuilder StateHeader(string issuer1 = "ỦY BAN NHÂN DÂN", string issuer2 = "TỈNH NGHỆ AN",
        string number = "Số: 98/KH-UBND", string dateLine = "Nghệ An, ngày 05 tháng 3 năm 2025",
        string heading = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        => new PageBuilder()
            .Centred(420, 160, issuer1).Centred(1130, 160, heading)
            .Centred(420, 205, issuer2).Centred(1130, 205, "Độc lập - Tự do - Hạnh phúc")
            .Centred(420, 275, number).Centred(1130, 280, dateLine);

    /// <summary>A Party first page header: issuer, '*' and number left, ĐẢNG CỘNG SẢN VIỆT NAM and date right.</summary>
    public static PageBuilder PartyHeader(string issuer1 = "ĐẢNG BỘ TỈNH NGHỆ AN", string issuer2 = "TỈNH ỦY",
        string number = "Số 57-NQ/TU", string dateLine = "Nghệ An, ngày 18 tháng 5 năm 2025",
        string heading = "ĐẢNG CỘNG SẢN VIỆT NAM")
        => new PageBuilder()
            .Centred(480, 155, issuer1).Centred(1270, 155, heading)
            .Centred(480, 205, issuer2).Centred(1270, 235, dateLine)
            .Centred(480, 260, "*").Centred(480, 305, number);

    /// <summary>The centred title and trích yếu, then a first body line after the wider space the format leaves.</summary>
    public PageBuilder Title(string type, string summary, int top = 480)
        => Centred(880, top, type, height: 34).Centred(880, top + 50, summary)
            .Line(315, top + 150, "Các cơ quan, đơn vị triển khai thực hiện nghiêm túc nội dung này.");

    /// <summary>The footer: recipients bottom left, the signature block bottom right.</summary>
    public PageBuilder Footer(string[] recipients, string? authority, string title, string name, int top = 1500)
    {
        Line(240, top, "Nơi nhận:");
        if (authority is not null) Centred(1250, top, authority);
        Centred(1250, top + 45, title);
        for (var i = 0; i < recipients.Length; i++) Line(240, top + 45 * (i + 1), recipients[i]);
        return Centred(1250, top + 45 * (recipients.Length + 4), name);
    }
}
