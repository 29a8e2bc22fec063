using System.Net;
using System.Text.Json;

namespace Pipeline.Functions.Tests.Documents;

/// <summary>A real Vietnamese scan through the whole DigitiseDocument orchestration, checked as a clerk would.</summary>
[RunsLong(150)]
public sealed class DigitiseTests(PipelineAppFixture fixture) : IClassFixture<PipelineAppFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private HttpClient Client => fixture.Client;

    [CorpusFact]
    public async Task A_Party_plan_comes_out_as_searchable_archive_PDF_and_text_with_progress_and_audit_trail()
    {
        var scan = DocumentsHttp.Corpus("vn-official", "doc000", "scan.pdf");
        var entry = (await Client.UploadAcceptedAsync(new Dictionary<string, string> { ["dossier"] = "HS-2025-01" }, scan))[0];
        var id = entry.GetProperty("documentId").GetString()!;
        var statusUri = entry.GetProperty("statusQueryGetUri").GetString()!;

        var document = await Client.WaitForDocumentAsync(id, Timeout);
        Assert.Equal("Digitised", document.GetProperty("status").GetString());
        Assert.Equal(2, document.GetProperty("pages").GetInt32());
        Assert.Equal("HS-2025-01", document.GetProperty("dossier").GetString());
        Assert.Equal("tesseract", document.GetProperty("digitisation").GetProperty("engine").GetString());
        Assert.True(document.GetProperty("digitisation").GetProperty("pdfA").GetBoolean());

        // Custom status: the progress bar's last word is every page done.
        var orchestration = await Client.WaitForFinishAsync(statusUri, Timeout);
        Assert.Equal("Completed", orchestration.GetProperty("runtimeStatus").GetString());
        var progress = orchestration.GetProperty("customStatus");
        Assert.Equal(("done", 2, 2), (progress.GetProperty("stage").GetString(), progress.GetProperty("pagesDone").GetInt32(), progress.GetProperty("pagesTotal").GetInt32()));

        // Text: NFC, pages separated by form feed, the Party heading read right.
        var text = await Client.GetStringAsync(document.GetProperty("links").GetProperty("text").GetString());
        Assert.Equal(2, text.Split('\f').Length);
        Assert.Contains("ĐẢNG CỘNG SẢN VIỆT NAM", text);
        Assert.Contains("KẾ HOẠCH", text);
        Assert.Equal(text.Normalize(System.Text.NormalizationForm.FormC), text);
        Assert.DoesNotContain('\u00D0', text);

        // Archive: same pages, the heading findable in it as a PDF viewer's search would.
        var dir = Directory.CreateTempSubdirectory("pipeline-archive-").FullName;
        try
        {
            var archive = Path.Combine(dir, "archive.pdf");
            await File.WriteAllBytesAsync(archive, await Client.GetByteArrayAsync(document.GetProperty("links").GetProperty("archive").GetString()));
            Assert.Contains("Pages:           2", DocumentsHttp.Run("pdfinfo", archive));
            Assert.Contains("CỘNG SẢN VIỆT NAM", DocumentsHttp.Run("pdftotext", "-f", "1", "-l", "1", archive, "-"));
        }
        finally
        {
            PipelineApp.DeleteDirectory(dir);
        }

        // Original untouched.
        Assert.Equal(File.ReadAllBytes(scan), await Client.GetByteArrayAsync(document.GetProperty("links").GetProperty("original").GetString()));

        // Search folds case and diacritics: what a clerk types without Vietnamese keyboard finds it.
        Assert.Contains(id, await SearchAsync("ke hoach cong tac van thu"));
        Assert.Contains(id, await SearchAsync("KẾ HOẠCH văn thư"));
        Assert.Contains(id, await SearchAsync("dang cong san", "&status=Digitised"));
        Assert.DoesNotContain(id, await SearchAsync("dang cong san", "&status=Rejected"));
        Assert.DoesNotContain(id, await SearchAsync("nghi dinh xuat nhap khau"));

        // Audit trail: each state change, in order, and the reads of its content.
        using var auditResponse = await Client.GetAsync($"/api/documents/{id}/audit");
        var actions = JsonDocument.Parse(await auditResponse.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["uploaded", "digitising", "pages-planned", "secrecy-raised", "fields-extracted", "digitised"], actions.Where(a => !a!.StartsWith("opened-")));
        Assert.Contains("opened-text", actions);
        Assert.Contains("opened-archive", actions);
    }

    [CorpusFact]
    public async Task A_multi_page_TIFF_is_digitised_page_by_page()
    {
        var dir = Directory.CreateTempSubdirectory("pipeline-tiff-").FullName;
        try
        {
            // Two scans in one multi-page TIFF, as a document feeder writes them.
            var tiff = Path.Combine(dir, "two-pages.tif");
            DocumentsHttp.Run("/usr/bin/python3", "-c",
                "import sys; from PIL import Image; a=Image.open(sys.argv[1]); b=Image.open(sys.argv[2]); a.save(sys.argv[3], save_all=True, append_images=[b], dpi=(300,300), compression='tiff_lzw')",
                DocumentsHttp.Corpus("ocrmypdf-resources", "typewriter.png"), DocumentsHttp.Corpus("ocrmypdf-resources", "linn.png"), tiff);
            var entry = (await Client.UploadAcceptedAsync(null, tiff))[0];
            var document = await Client.WaitForDocumentAsync(entry.GetProperty("documentId").GetString()!, Timeout);

            // Not an official document: no number, date, type or issuer to read, so a person checks it.
            Assert.Equal("NeedsReview", document.GetProperty("status").GetString());
            Assert.Contains("code", document.GetProperty("reviewReason").GetString());
            Assert.Equal("image/tiff", document.GetProperty("contentType").GetString());
            Assert.Equal(2, document.GetProperty("pages").GetInt32());
            var text = await Client.GetStringAsync(document.GetProperty("links").GetProperty("text").GetString());
            Assert.Equal(2, text.Split('\f').Length);
        }
        finally
        {
            PipelineApp.DeleteDirectory(dir);
        }
    }

    [CorpusFact]
    public async Task A_page_that_already_has_text_keeps_it_and_is_not_read_again()
    {
        var entry = (await Client.UploadAcceptedAsync(null, DocumentsHttp.Corpus("ocrmypdf-resources", "graph_ocred.pdf")))[0];
        var document = await Client.WaitForDocumentAsync(entry.GetProperty("documentId").GetString()!, Timeout);

        Assert.Contains(document.GetProperty("status").GetString(), new[] { "Digitised", "NeedsReview" });
        Assert.Equal("text-layer", document.GetProperty("digitisation").GetProperty("engine").GetString());
        Assert.Equal(0, document.GetProperty("digitisation").GetProperty("engineMilliseconds").GetInt64());
        Assert.NotEmpty((await Client.GetStringAsync(document.GetProperty("links").GetProperty("text").GetString())).Trim());
    }

    [CorpusFact]
    public async Task A_secret_document_keeps_its_declared_secrecy()
    {
        var entry = (await Client.UploadAcceptedAsync(new Dictionary<string, string> { ["secrecy"] = "toi-mat" },
            DocumentsHttp.Corpus("ocrmypdf-resources", "francais.pdf")))[0];
        var document = await Client.WaitForDocumentAsync(entry.GetProperty("documentId").GetString()!, Timeout);
        Assert.Equal("toi-mat", document.GetProperty("secrecy").GetString());
        Assert.Equal("tesseract", document.GetProperty("digitisation").GetProperty("engine").GetString());
    }

    [Fact]
    public async Task Search_parameters_that_make_no_sense_get_a_problem()
    {
        using var status = await Client.GetAsync("/api/documents?status=Lost");
        Assert.Contains("Digitised", (await DocumentsHttp.ProblemAsync(status, HttpStatusCode.BadRequest)).GetProperty("detail").GetString());
        using var date = await Client.GetAsync("/api/documents?from=05/03/2025");
        Assert.Contains("yyyy-MM-dd", (await DocumentsHttp.ProblemAsync(date, HttpStatusCode.BadRequest)).GetProperty("detail").GetString());
        using var page = await Client.GetAsync("/api/documents?pageSize=1000");
        await DocumentsHttp.ProblemAsync(page, HttpStatusCode.BadRequest);
    }

    private async Task<List<string>> SearchAsync(string q, string filters = "")
    {
        using var response = await Client.GetAsync($"/api/documents?q={Uri.EscapeDataString(q)}{filters}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return [.. JsonDocument.Parse(body).RootElement.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("id").GetString()!)];
    }
}
