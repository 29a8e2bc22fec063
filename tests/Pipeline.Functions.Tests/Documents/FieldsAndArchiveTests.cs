using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Pipeline.Functions.Tests.Documents;

/// <summary>
/// Fields read from real scans, a reviewer's corrections, the registry duplicate warning, the archive record and
/// dossiers — over HTTP against the real app. The review threshold is 1.0 here, so every document goes to review
/// and the review path is exercised on real extractions. The tests share one app: each uploads its own scans and
/// names its own dossiers.
/// </summary>
public sealed class FieldsAndArchiveTests(FieldsAndArchiveTests.ReviewEverything fixture) : IClassFixture<FieldsAndArchiveTests.ReviewEverything>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);
    private readonly HttpClient _client = fixture.Client;

    /// <summary>The app with review threshold 1.0: every document goes to review.</summary>
    public sealed class ReviewEverything : PipelineAppFixture
    {
        /// <inheritdoc/>
        protected override string EditHostJson(string hostJson) => hostJson.Replace("\"reviewThreshold\": 0.9", "\"reviewThreshold\": 1.0");
    }

    [CorpusFact]
    public async Task Fields_are_read_a_printed_stamp_raises_secrecy_and_a_reviewer_correction_clears_the_review()
    {
        var scan = DocumentsHttp.Corpus("vn-official", "doc000", "scan.pdf");
        var id = (await _client.UploadAcceptedAsync(new Dictionary<string, string> { ["dossier"] = "HS-TU-2025" }, scan))[0].GetProperty("documentId").GetString()!;
        var document = await _client.WaitForDocumentAsync(id, Timeout);

        Assert.Equal("NeedsReview", document.GetProperty("status").GetString());
        Assert.Contains("code", document.GetProperty("reviewReason").GetString());
        var fields = document.GetProperty("fields");
        Assert.Equal("587-KH/TU", Value(fields, "code"));
        Assert.Equal("Kế hoạch", Value(fields, "type"));
        Assert.Equal("2025-05-18", Value(fields, "date"));
        Assert.Equal("TỐI MẬT", Value(fields, "secrecy"));
        Assert.False(fields.GetProperty("code").GetProperty("corrected").GetBoolean());
        // Declared none at upload; the stamp on the scan raised it.
        Assert.Equal("toi-mat", document.GetProperty("secrecy").GetString());

        using var bad = await PatchAsync(id, """{"date":"18/05/2025","signatory":"x"}""");
        var problem = await DocumentsHttp.ProblemAsync(bad, HttpStatusCode.BadRequest);
        Assert.Contains("yyyy-MM-dd", problem.GetProperty("detail").GetString());
        Assert.Contains("\"signatory\" is not a field", problem.GetProperty("detail").GetString());

        using var ok = await PatchAsync(id, """{"code":"587-KH/TU","date":"2025-05-18","type":"Kế hoạch","issuer":"ĐẢNG BỘ TỈNH THANH HÓA\nTỈNH ỦY","summary":"về công tác văn thư, lưu trữ trong tình hình mới"}""");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var reviewed = JsonDocument.Parse(await ok.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Digitised", reviewed.GetProperty("status").GetString());
        Assert.True(reviewed.GetProperty("fields").GetProperty("summary").GetProperty("corrected").GetBoolean());
        Assert.Equal(1.0, reviewed.GetProperty("fields").GetProperty("summary").GetProperty("confidence").GetDouble());
        Assert.Equal("toi-mat", reviewed.GetProperty("secrecy").GetString());

        using var auditResponse = await _client.GetAsync($"/api/documents/{id}/audit");
        var audit = JsonDocument.Parse(await auditResponse.Content.ReadAsStringAsync()).RootElement.EnumerateArray().ToList();
        var actions = audit.Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.True(actions.IndexOf("secrecy-raised") < actions.IndexOf("fields-extracted"), string.Join(",", actions));
        var correction = audit.Single(e => e.GetProperty("action").GetString() == "fields-corrected");
        Assert.StartsWith("admin-key@", correction.GetProperty("actor").GetString());
        Assert.Contains("NeedsReview → Digitised", correction.GetProperty("detail").GetString());

        // Corrected fields are searchable; the archive record takes them as they are.
        using var search = await _client.GetAsync("/api/documents?q=ke+hoach+587&type=Kế hoạch");
        Assert.Contains(id, await search.Content.ReadAsStringAsync());
        var metadata = await _client.GetFromJsonAsync<JsonElement>($"/api/documents/{id}/metadata");
        Assert.Equal(("587", "KH/TU", "2025-05-18", "TỈNH ỦY", "HS-TU-2025", 1, 2),
            (metadata.GetProperty("codeNumber").GetString(), metadata.GetProperty("codeNotation").GetString(), metadata.GetProperty("issuedDate").GetString(),
             metadata.GetProperty("organName").GetString(), metadata.GetProperty("fileCode").GetString(), metadata.GetProperty("ordinal").GetInt32(),
             metadata.GetProperty("pageAmount").GetInt32()));
        Assert.Equal("Hạn chế", metadata.GetProperty("usageMode").GetString());

        // The dossier opened by the upload has the document, its pages and its date.
        var dossier = await _client.GetFromJsonAsync<JsonElement>("/api/dossiers/HS-TU-2025");
        Assert.Equal((1, 2, "2025-05-18"), (dossier.GetProperty("documentCount").GetInt32(), dossier.GetProperty("pageCount").GetInt32(), dossier.GetProperty("startDate").GetString()));
    }

    [CorpusFact]
    public async Task The_same_number_symbol_and_issuer_in_a_different_file_is_flagged_on_both_documents()
    {
        var dir = Directory.CreateTempSubdirectory("pipeline-dup-").FullName;
        try
        {
            // The same document saved again: other bytes (so not an upload duplicate), same registry entry.
            var original = DocumentsHttp.Corpus("vn-official", "doc004", "scan.pdf");
            var resaved = Path.Combine(dir, "doc004-resaved.pdf");
            DocumentsHttp.Run("qpdf", "--object-streams=generate", original, resaved);
            var first = (await _client.UploadAcceptedAsync(null, original))[0].GetProperty("documentId").GetString()!;
            await _client.WaitForDocumentAsync(first, Timeout);
            var second = (await _client.UploadAcceptedAsync(null, resaved))[0].GetProperty("documentId").GetString()!;
            await _client.WaitForDocumentAsync(second, Timeout);

            Assert.Equal([second], (await _client.GetDocumentAsync(first)).GetProperty("duplicates").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal([first], (await _client.GetDocumentAsync(second)).GetProperty("duplicates").EnumerateArray().Select(e => e.GetString()));
            using var audit = await _client.GetAsync($"/api/documents/{first}/audit");
            Assert.Contains("duplicate-warning", await audit.Content.ReadAsStringAsync());
        }
        finally
        {
            PipelineApp.DeleteDirectory(dir);
        }
    }

    [Fact]
    public async Task Dossiers_are_created_once_and_unknown_ones_are_404_problems()
    {
        using var created = await _client.PostAsJsonAsync("/api/dossiers", new { id = "HS-2026-07", title = "Hồ sơ hội nghị chuyển đổi số", retention = "Vĩnh viễn" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var record = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(("Vĩnh viễn", 0), (record.GetProperty("retention").GetString(), record.GetProperty("documentCount").GetInt32()));

        using var again = await _client.PostAsJsonAsync("/api/dossiers", new { id = "HS-2026-07", title = "x" });
        await DocumentsHttp.ProblemAsync(again, HttpStatusCode.Conflict);
        using var missing = await _client.GetAsync("/api/dossiers/HS-0000");
        await DocumentsHttp.ProblemAsync(missing, HttpStatusCode.NotFound);
        using var untitled = await _client.PostAsJsonAsync("/api/dossiers", new { id = "HS-2026-08" });
        await DocumentsHttp.ProblemAsync(untitled, HttpStatusCode.BadRequest);
    }

    private Task<HttpResponseMessage> PatchAsync(string id, string json)
        => _client.PatchAsync($"/api/documents/{id}/fields", new StringContent(json, Encoding.UTF8, "application/json"));

    private static string? Value(JsonElement fields, string name) => fields.GetProperty(name).GetProperty("value").GetString();
}
