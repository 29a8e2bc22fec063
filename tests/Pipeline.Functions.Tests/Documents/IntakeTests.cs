using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Pipeline.Functions.Tests.Documents;

/// <summary>POST /api/documents: what is accepted, what is refused and how, duplicates and retries.</summary>
public sealed class IntakeTests(PipelineAppFixture fixture) : IClassFixture<PipelineAppFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task An_empty_file_is_refused_with_a_problem_naming_it()
    {
        using var response = await Client.UploadAsync([("trang-trong.pdf", [])]);
        var problem = await DocumentsHttp.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("trang-trong.pdf", problem.GetProperty("title").GetString());
        Assert.Equal("empty-file", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_file_that_is_not_a_scan_is_refused_by_its_content_whatever_its_name()
    {
        using var response = await Client.UploadAsync([("bao-cao.pdf", Encoding.UTF8.GetBytes("Đây không phải là một tệp PDF."))]);
        var problem = await DocumentsHttp.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("not a PDF, TIFF, JPEG or PNG", problem.GetProperty("title").GetString());
    }

    [CorpusFact]
    public async Task A_damaged_PDF_is_refused_at_upload()
    {
        using var response = await Client.UploadAsync([("invalid.pdf", File.ReadAllBytes(DocumentsHttp.Corpus("ocrmypdf-resources", "invalid.pdf")))]);
        var problem = await DocumentsHttp.ProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("pdf-damaged", problem.GetProperty("code").GetString());
    }

    [CorpusFact]
    public async Task A_password_protected_PDF_is_refused_at_upload()
    {
        var dir = Directory.CreateTempSubdirectory("pipeline-encrypted-").FullName;
        try
        {
            var encrypted = Path.Combine(dir, "encrypted.pdf");
            DocumentsHttp.Run("qpdf", "--encrypt", "user-secret", "owner-secret", "256", "--", DocumentsHttp.Corpus("vn-official", "doc000", "scan.pdf"), encrypted);
            using var response = await Client.UploadAsync([("encrypted.pdf", File.ReadAllBytes(encrypted))]);
            var problem = await DocumentsHttp.ProblemAsync(response, HttpStatusCode.UnprocessableEntity);
            Assert.Equal("pdf-encrypted", problem.GetProperty("code").GetString());
            Assert.Contains("password", problem.GetProperty("title").GetString());
        }
        finally
        {
            PipelineApp.DeleteDirectory(dir);
        }
    }

    [CorpusFact]
    public async Task A_decompression_bomb_is_refused_before_anything_decodes_it()
    {
        // hugemono.pdf: a 35000 x 35000 pixel image in 10 KB.
        using var response = await Client.UploadAsync([("hugemono.pdf", File.ReadAllBytes(DocumentsHttp.Corpus("ocrmypdf-resources", "hugemono.pdf")))]);
        var problem = await DocumentsHttp.ProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("image-too-large", problem.GetProperty("code").GetString());
        Assert.Contains("1225", problem.GetProperty("detail").GetString());
    }

    [CorpusFact]
    public async Task One_bad_file_in_an_upload_records_none_of_its_files()
    {
        var good = File.ReadAllBytes(DocumentsHttp.Corpus("ocrmypdf-resources", "typewriter.png"));
        var before = await TotalAsync();
        using var response = await Client.UploadAsync([("typewriter.png", good), ("notes.txt", Encoding.UTF8.GetBytes("plain text"))]);
        var problem = await DocumentsHttp.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("notes.txt", problem.GetProperty("title").GetString());
        Assert.Contains("Nothing from this upload was stored", problem.GetProperty("detail").GetString());
        Assert.Equal(before, await TotalAsync());
    }

    [Fact]
    public async Task An_unknown_secrecy_level_is_refused_with_the_levels_to_use()
    {
        using var response = await Client.UploadAsync([("a.png", MinimalPng())], new Dictionary<string, string> { ["secrecy"] = "very-secret" });
        var problem = await DocumentsHttp.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("none, mat, toi-mat, tuyet-mat", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_request_that_is_not_multipart_is_refused()
    {
        using var response = await Client.PostAsync("/api/documents", new StringContent("{}", Encoding.UTF8, "application/json"));
        var problem = await DocumentsHttp.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("Send the files as multipart/form-data", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Uploading_needs_the_API_key()
    {
        using var response = await fixture.Anonymous.UploadAsync([("a.png", MinimalPng())]);
        await DocumentsHttp.ProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [CorpusFact]
    public async Task The_same_bytes_uploaded_again_answer_the_earlier_document_as_duplicateOf()
    {
        var bytes = File.ReadAllBytes(DocumentsHttp.Corpus("ocrmypdf-resources", "linn.png"));
        var first = (await UploadOneAsync(bytes, "linn.png")).RootElement.GetProperty("documents")[0];
        var again = (await UploadOneAsync(bytes, "linn-copy.png")).RootElement.GetProperty("documents")[0];

        Assert.False(first.TryGetProperty("duplicateOf", out _));
        var firstId = first.GetProperty("documentId").GetString();
        Assert.Equal(firstId, again.GetProperty("duplicateOf").GetString());
        Assert.Equal(firstId, again.GetProperty("documentId").GetString());

        var document = await Client.GetDocumentAsync(firstId!);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), document.GetProperty("sha256").GetString());
        Assert.Equal("image/png", document.GetProperty("contentType").GetString());
        Assert.Equal("linn.png", document.GetProperty("fileName").GetString());
    }

    [CorpusFact]
    public async Task A_retried_upload_with_the_same_Idempotency_Key_gets_the_first_answer_and_creates_nothing()
    {
        var bytes = File.ReadAllBytes(DocumentsHttp.Corpus("ocrmypdf-resources", "crom.png"));
        var key = Guid.NewGuid().ToString();
        using var first = await Client.UploadAsync([("crom.png", bytes)], idempotencyKey: key);
        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var total = await TotalAsync();

        using var retry = await Client.UploadAsync([("crom.png", bytes)], idempotencyKey: key);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(firstBody, await retry.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal(total, await TotalAsync());
    }

    [CorpusFact]
    public async Task The_original_is_served_byte_for_byte_as_uploaded()
    {
        var bytes = File.ReadAllBytes(DocumentsHttp.Corpus("ocrmypdf-resources", "baiona_color.jpg"));
        var entry = (await UploadOneAsync(bytes, "baiona_color.jpg")).RootElement.GetProperty("documents")[0];
        var id = entry.GetProperty("documentId").GetString();
        using var original = await Client.GetAsync($"/api/documents/{id}/original");
        Assert.Equal(HttpStatusCode.OK, original.StatusCode);
        Assert.Equal("image/jpeg", original.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes, await original.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task An_unknown_document_is_a_404_problem()
    {
        using var response = await Client.GetAsync("/api/documents/0123456789abcdef0123456789abcdef");
        var problem = await DocumentsHttp.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains("No document", problem.GetProperty("title").GetString());
    }

    private async Task<JsonDocument> UploadOneAsync(byte[] bytes, string name)
    {
        using var response = await Client.UploadAsync([(name, bytes)]);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        Assert.NotNull(response.Headers.Location);
        return JsonDocument.Parse(body);
    }

    private async Task<int> TotalAsync()
    {
        using var response = await Client.GetAsync("/api/documents?pageSize=1");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("total").GetInt32();
    }

    // A 1x1 white PNG, made here so the test needs no file.
    private static byte[] MinimalPng() => Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAW8JbVwAAAABJRU5ErkJggg==");
}

/// <summary>Limits come from host.json: a smaller maxFileBytes refuses a larger file with 413.</summary>
public sealed class IntakeLimitTests
{
    [Fact]
    public async Task A_file_over_the_configured_size_is_refused_with_413_and_nothing_recorded()
    {
        var dir = PipelineApp.CreateWorkingDirectory(json => json.Replace("\"maxFileBytes\": 209715200", "\"maxFileBytes\": 1000"));
        try
        {
            Assert.Contains("\"maxFileBytes\": 1000", File.ReadAllText(Path.Combine(dir, "host.json")));
            await using var app = await PipelineApp.StartAsync(dir);
            using var client = app.CreateClient();
            var bytes = new byte[5000];
            "%PDF-1.4\n"u8.CopyTo(bytes);
            using var response = await client.UploadAsync([("big.pdf", bytes)]);
            var problem = await DocumentsHttp.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
            Assert.Contains("larger than", problem.GetProperty("title").GetString());
            using var list = await client.GetAsync("/api/documents");
            Assert.Equal(0, JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.GetProperty("total").GetInt32());
        }
        finally
        {
            PipelineApp.DeleteDirectory(dir);
        }
    }
}
