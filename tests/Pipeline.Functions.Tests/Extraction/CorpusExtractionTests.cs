using Pipeline.Functions.Digitise;
using Pipeline.Functions.Extraction;
using Pipeline.Testing;

namespace Pipeline.Functions.Tests.Extraction;

/// <summary>Real scans from the corpus, rendered and read as the app does, then extracted.</summary>
public sealed class CorpusExtractionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-extract-").FullName;

    public void Dispose() => PipelineApp.DeleteDirectory(_dir);

    private async Task<OfficialDocumentFields> ExtractAsync(string doc)
    {
        var scan = RepoPaths.CorpusPath("vn-official", doc, "scan.pdf");
        var analysis = await Poppler.AnalyseAsync(scan);
        var pages = new List<OcrPage>();
        var engine = new TesseractOcrEngine();
        foreach (var page in analysis.PageInfo)
        {
            var image = await Poppler.RenderPageForOcrAsync(scan, page.Number, page.NativeDpi!.Value, _dir);
            pages.Add(await engine.RecognizeAsync(new OcrRequest(image, page.NativeDpi!.Value, "vie+eng", null)));
        }
        return OfficialDocumentExtractor.Extract(pages);
    }

    [CorpusFact]
    public async Task A_scanned_state_plan_gives_its_fields()
    {
        var fields = await ExtractAsync("doc022");

        Assert.Equal("state", fields.Kind);
        Assert.Equal("ỦY BAN NHÂN DÂN\nXÃ QUỲNH LƯU", fields.Issuer.Value);
        Assert.Equal(("408/KH-UBND", "Kế hoạch"), (fields.Code.Value, fields.Type.Value));
        Assert.Equal("về việc chuẩn hóa dữ liệu hồ sơ giải quyết thủ tục hành chính", fields.Summary.Value);
        Assert.Equal(("Thái Nguyên", "2026-05-23"), (fields.Place.Value, fields.Date.Value));
        Assert.Equal("Trần Thu Thắng", fields.Signer.Value);
        Assert.Equal(["Như trên", "Thường trực HĐND tỉnh", "Thường trực Tỉnh ủy", "Bộ Khoa học và Công nghệ", "Lưu: VT, KGVX"], fields.Recipients.Value);
    }

    [CorpusFact]
    public async Task A_scanned_Party_resolution_of_a_committee_office_gives_its_fields()
    {
        var fields = await ExtractAsync("doc019");

        Assert.Equal("party", fields.Kind);
        Assert.Equal("TỈNH ỦY QUẢNG NINH\nVĂN PHÒNG", fields.Issuer.Value);
        Assert.Equal(("230-NQ/VPTU", "Nghị quyết"), (fields.Code.Value, fields.Type.Value));
        Assert.Equal(("Quảng Ninh", "2026-12-28"), (fields.Place.Value, fields.Date.Value));
        Assert.Equal(("T/L BAN THƯỜNG VỤ", "CHÁNH VĂN PHÒNG"), (fields.SignerAuthority.Value, fields.SignerTitle.Value));
        Assert.Null(fields.Secrecy.Value);
        Assert.Null(fields.Urgency.Value);
    }
}
