using Pipeline.Functions.Digitise;
using Pipeline.Functions.Extraction;

namespace Pipeline.Functions.Tests.Extraction;

public sealed class OfficialDocumentExtractorTests
{
    private static readonly string[] StateRecipients = ["- Như trên;", "- Thường trực Tỉnh ủy;", "- Lưu: VT, KGVX."];

    private static OfficialDocumentFields Extract(params PageBuilder[] pages) => OfficialDocumentExtractor.Extract(pages.Select(p => p.Build()).ToList());

    [Fact]
    public void State_header_gives_issuer_number_date_type_and_summary()
    {
        var fields = Extract(PageBuilder.StateHeader().Title("KẾ HOẠCH", "Về chuyển đổi số năm 2025")
            .Footer(StateRecipients, "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn An"));

        Assert.Equal("state", fields.Kind);
        Assert.Equal("ỦY BAN NHÂN DÂN\nTỈNH NGHỆ AN", fields.Issuer.Value);
        Assert.Equal(("98/KH-UBND", "98", "KH-UBND"), (fields.Code.Value, fields.Number.Value, fields.Symbol.Value));
        Assert.Equal("Kế hoạch", fields.Type.Value);
        Assert.Equal("về chuyển đổi số năm 2025", fields.Summary.Value);
        Assert.Equal(("Nghệ An", "2025-03-05"), (fields.Place.Value, fields.Date.Value));
        Assert.Equal(("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn An"), (fields.SignerAuthority.Value, fields.SignerTitle.Value, fields.Signer.Value));
        Assert.All(new[] { fields.Issuer, fields.Code, fields.Type, fields.Date, fields.Place }, f => Assert.True(f.Confidence >= 0.9, $"{f} should not need review"));
        Assert.Equal((1, "vi"), (fields.Pages, fields.Language));
    }

    [Fact]
    public void Party_header_is_told_by_its_heading_and_its_number_form()
    {
        var fields = Extract(PageBuilder.PartyHeader().Title("NGHỊ QUYẾT", "Về công tác văn thư, lưu trữ")
            .Footer(["- Các đồng chí Tỉnh ủy viên,", "- Lưu Văn phòng Tỉnh ủy."], "T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Bùi Thu Dũng"));

        Assert.Equal("party", fields.Kind);
        Assert.Equal("ĐẢNG BỘ TỈNH NGHỆ AN\nTỈNH ỦY", fields.Issuer.Value);
        Assert.Equal(("57-NQ/TU", "57", "NQ/TU"), (fields.Code.Value, fields.Number.Value, fields.Symbol.Value));
        Assert.Equal("Nghị quyết", fields.Type.Value);
        Assert.Equal("T/M BAN THƯỜNG VỤ", fields.SignerAuthority.Value);
    }

    [Theory]
    [InlineData("QUY ĐỊNH", "Quy định")]
    [InlineData("QUYẾT ĐỊNH", "Quyết định")]
    public void Party_QĐ_is_Quyết_định_or_Quy_định_by_the_title_line(string title, string type)
    {
        var fields = Extract(PageBuilder.PartyHeader(number: "Số 520-QD/TU").Title(title, "Về tăng cường ứng dụng phần mềm"));

        Assert.Equal(type, fields.Type.Value);
        Assert.Equal("520-QĐ/TU", fields.Code.Value); // D read for Đ is put back: the title says QĐ
    }

    [Fact]
    public void A_code_that_disagrees_with_the_title_is_not_trusted()
    {
        var fields = Extract(PageBuilder.StateHeader(number: "Số: 98/BC-UBND").Title("KẾ HOẠCH", "Về chuyển đổi số"));

        Assert.Equal("Kế hoạch", fields.Type.Value);
        Assert.True(fields.Code.Confidence < 0.9);
    }

    [Theory]
    [InlineData("Nghệ An, ngày 30 tháng 02 năm 2025")] // no 30 February
    [InlineData("Nghệ An, ngày 05 tháng 13 năm 2025")]
    public void An_impossible_date_is_not_given(string dateLine)
    {
        var fields = Extract(PageBuilder.StateHeader(dateLine: dateLine).Title("KẾ HOẠCH", "Về chuyển đổi số"));

        Assert.Equal(ExtractedField.Unread, fields.Date);
        Assert.Equal("Nghệ An", fields.Place.Value);
    }

    [Theory]
    [InlineData("Nghệ An, ngày 05 tháng 02 năm 2025", "2025-02-05", true)]
    [InlineData("Nghệ An, ngày 15 tháng 11 năm 2025", "2025-11-15", true)]
    [InlineData("Nghệ An, ngày 5 tháng 02 năm 2025", "2025-02-05", false)] // the format pads days below 10
    [InlineData("Nghệ An, ngày 05 tháng 2 năm 2025", "2025-02-05", false)] // … and months 1–2
    [InlineData("Nghệ An, ngày 05 tháng 05 năm 2025", "2025-05-05", false)] // … and no other month
    public void A_date_written_unlike_the_format_goes_to_review(string dateLine, string iso, bool trusted)
    {
        var fields = Extract(PageBuilder.StateHeader(dateLine: dateLine).Title("KẾ HOẠCH", "Về chuyển đổi số"));

        Assert.Equal(iso, fields.Date.Value);
        Assert.Equal(trusted, fields.Date.Confidence >= 0.9);
    }

    [Fact]
    public void Place_and_date_keep_their_marks_when_OCR_dropped_them()
    {
        var fields = Extract(PageBuilder.PartyHeader(dateLine: "Bac Ninh, ngay 05 thang 02 ndm 2025").Title("KET LUAN", "Về phan công nhiem vu"));

        Assert.Equal(("Bắc Ninh", "2025-02-05"), (fields.Place.Value, fields.Date.Value));
        Assert.Equal("Kết luận", fields.Type.Value);
        Assert.Equal("về phân công nhiệm vụ", fields.Summary.Value);
    }

    [Fact]
    public void Cong_van_has_no_type_code_and_its_summary_is_the_Vv_lines_under_the_number()
    {
        var page = PageBuilder.StateHeader(issuer2: "XÃ CON CUÔNG", number: "Số: 210/UBND-VP")
            .Centred(420, 325, "V/v cung cấp dịch vụ công trực tuyến").Centred(420, 370, "toàn trình")
            .Line(240, 460, "MẬT", height: 34)
            .Line(315, 540, "Tài liệu sau khi số hóa phải bảo đảm tính toàn vẹn, xác thực và được quản lý thống");

        var fields = Extract(page);

        Assert.Equal("Công văn", fields.Type.Value);
        Assert.Equal(("210/UBND-VP", "UBND-VP"), (fields.Code.Value, fields.Symbol.Value));
        Assert.Equal("V/v cung cấp dịch vụ công trực tuyến toàn trình", fields.Summary.Value);
        Assert.Equal("MẬT", fields.Secrecy.Value);
    }

    [Theory]
    [InlineData("HỎA TỐC", "HỎA TỐC", true)]
    [InlineData("HOẢ TỐC", "HOẢ TỐC", true)]
    [InlineData("HOA TOC", "HOẢ TỐC", false)] // OCR lost the hook: which spelling was printed is a guess
    [InlineData("THUONG KHAN", "THƯỢNG KHẨN", true)]
    public void Urgency_keeps_the_printed_spelling(string read, string value, bool trusted)
    {
        var fields = Extract(PageBuilder.PartyHeader().Line(240, 400, read, height: 34).Title("KẾ HOẠCH", "Về chuyển đổi số", top: 520));

        Assert.Equal(value, fields.Urgency.Value);
        Assert.Equal(trusted, fields.Urgency.Confidence >= 0.9);
        Assert.Null(fields.Secrecy.Value);
    }

    [Fact]
    public void Recipients_lose_their_dashes_and_trailing_punctuation_and_a_lost_dash_still_starts_an_item()
    {
        var fields = Extract(PageBuilder.StateHeader().Title("KẾ HOẠCH", "Về chuyển đổi số")
            .Footer(["- Như trên;", "- Chủ tịch, các PCT UBND tinh;", "Thường trực HĐND tỉnh,", "- Luu: VT, KGVX."], "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Hoang Thu Son"));

        Assert.Equal(["Như trên", "Chủ tịch, các PCT UBND tỉnh", "Thường trực HĐND tỉnh", "Lưu: VT, KGVX"], fields.Recipients.Value);
        Assert.Equal(("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"), (fields.SignerAuthority.Value, fields.SignerTitle.Value));
        Assert.Equal("Hoàng Thu Sơn", fields.Signer.Value);
    }

    [Fact]
    public void A_misread_heading_still_anchors_the_layout_and_diacritic_swaps_in_the_issuer_are_repaired()
    {
        var fields = Extract(PageBuilder.StateHeader(issuer1: "UBND TÍNH THANH HOA", issuer2: "SỞ KHOA HỌC VÀ CÔNG NGHÊ",
                number: "Số: 605/BC-SKHCN", heading: "CONG HOA XA HOI CHU NGHỈA VIET NAM")
            .Title("BÁO CÁO", "Về xây dựng cơ sở dữ liệu dùng chung"));

        Assert.Equal("state", fields.Kind);
        Assert.Equal("UBND TỈNH THANH HÓA\nSỞ KHOA HỌC VÀ CÔNG NGHỆ", fields.Issuer.Value);
        Assert.Equal("Báo cáo", fields.Type.Value);
        Assert.Equal("Nghệ An", fields.Place.Value);
    }

    [Fact]
    public void Party_authority_and_body_codes_get_back_the_slash_and_the_Đ()
    {
        var fields = Extract(PageBuilder.PartyHeader(issuer2: "DANG UY XA DIEN CHAU", number: "Số 962-QD/DU").Title("QUYẾT ĐỊNH", "Về triển khai phòng họp không giấy")
            .Footer(["- Lưu Văn phòng Đảng ủy."], "TM ĐẢNG ỦY", "BÍ THƯ", "Bùi Hoàng Thảo"));

        Assert.Equal("ĐẢNG BỘ TỈNH NGHỆ AN\nĐẢNG ỦY XÃ DIỄN CHÂU", fields.Issuer.Value);
        Assert.Equal("962-QĐ/ĐU", fields.Code.Value);
        Assert.Equal("T/M ĐẢNG ỦY", fields.SignerAuthority.Value);
    }

    [Fact]
    public void Nothing_is_invented_from_a_blank_or_unrelated_page()
    {
        var blank = OfficialDocumentExtractor.Extract([new OcrPage(1654, 2338, [], "")]);
        var prose = Extract(new PageBuilder().Line(240, 300, "Hôm nay trời đẹp, chúng tôi đi dạo quanh hồ.").Line(240, 350, "Không có gì để báo cáo."));

        foreach (var fields in new[] { blank, prose })
        {
            Assert.Null(fields.Kind);
            Assert.All(new[] { fields.Issuer, fields.Code, fields.Number, fields.Symbol, fields.Type, fields.Summary, fields.Place, fields.Date, fields.SignerTitle, fields.Signer },
                f => Assert.Equal(ExtractedField.Unread, f));
            Assert.Empty(fields.Recipients.Value);
            Assert.Equal(0, fields.Recipients.Confidence);
        }
        Assert.Equal(1, blank.Pages);
    }

    [Fact]
    public void A_title_that_lost_a_word_to_the_stamp_goes_to_review()
    {
        var page = PageBuilder.PartyHeader().Title("KẾ HOẠCH", "Về chuyển đổi số")
            .Line(240, 1500, "Nơi nhận:").Centred(1250, 1500, "T/M BAN THƯỜNG VỤ")
            .Line(240, 1545, "- Lưu Văn phòng Tỉnh ủy.").Line(1232, 1545, "BÍ THƯ") // PHÓ unread: off the block's axis
            .Centred(1250, 1700, "Dương Văn Yến");

        var fields = Extract(page);

        Assert.Equal("BÍ THƯ", fields.SignerTitle.Value);
        Assert.True(fields.SignerTitle.Confidence < 0.9);
    }
}
