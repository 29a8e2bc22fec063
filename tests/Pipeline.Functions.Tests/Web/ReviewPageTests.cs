using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Pipeline.Functions.Tests.Documents;
using static Microsoft.Playwright.Assertions;

namespace Pipeline.Functions.Tests.Web;

/// <summary>
/// The review page <c>/review/{id}</c> and the page images it shows, in a real browser against the real app with a
/// real scan. The review threshold is 1.0 here, so the scan goes to NeedsReview and its key fields are doubtful.
/// </summary>
[RunsLong(135)]
public sealed class ReviewPageTests(ReviewPageTests.ReviewedScan scan, ChromiumFixture chromium)
    : IClassFixture<ReviewPageTests.ReviewedScan>, IClassFixture<ChromiumFixture>
{
    private const string Summary = "Về công tác văn thư và lưu trữ trong tình hình mới";

    [CorpusFact]
    public async Task A_reviewer_sees_the_page_beside_the_doubtful_fields_and_saving_corrections_clears_the_review()
    {
        var id = await scan.NeedsReviewAsync();
        await using var context = await chromium.NewContextAsync(scan.App.BaseAddress);
        var page = await context.NewPageAsync();
        var errors = PageErrors.Watch(page);
        await OpenWithKeyAsync(page, id);

        // The page image, fetched with the key, is shown beside the fields.
        var image = page.Locator("#page-image");
        await Expect(image).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await page.WaitForFunctionAsync("() => { const i = document.getElementById('page-image'); return i.complete && i.naturalWidth > 0; }",
            null, new() { Timeout = 30_000 });
        Assert.True(await image.EvaluateAsync<int>("i => i.naturalWidth") > 500, "The page image is too small to read.");
        await Expect(page.Locator("#page-select option")).ToHaveCountAsync(2);
        await page.SelectOptionAsync("#page-select", "2");
        await Expect(image).ToHaveAttributeAsync("data-page", "2", new() { Timeout = 30_000 });
        await page.SelectOptionAsync("#page-select", "1");
        await Expect(image).ToHaveAttributeAsync("data-page", "1", new() { Timeout = 30_000 });

        // The fields as read, the doubtful key fields highlighted by colour and by a text marker.
        await Expect(page.Locator("#doc-status")).ToHaveAttributeAsync("data-status", "NeedsReview");
        await Expect(page.Locator("#f-code")).ToHaveValueAsync("587-KH/TU");
        await Expect(page.Locator("#review-reason")).ToContainTextAsync("code");
        foreach (var key in new[] { "code", "date", "type", "issuer" })
        {
            var row = page.Locator($".review-field[data-field={key}]");
            await Expect(row).ToHaveClassAsync(new Regex(@"\blow-confidence\b"));
            await Expect(row.Locator(".marker-low")).ToContainTextAsync("Cần kiểm tra");
        }
        var highlighted = await page.Locator(".review-field.low-confidence").EvaluateAllAsync<string>(
            "rows => getComputedStyle(rows[0]).backgroundColor");
        Assert.NotEqual("rgba(0, 0, 0, 0)", highlighted);
        await Expect(page.Locator(".review-field[data-field=summary]")).Not.ToHaveClassAsync(new Regex(@"\bcorrected\b"));

        // The reviewer corrects the summary and retypes the key fields as printed, then saves.
        await page.Locator("#f-summary").FillAsync(Summary);
        await page.Locator("#f-code").FillAsync("587-KH/TU");
        await page.Locator("#f-date").FillAsync("2025-05-18");
        await page.Locator("#f-type").FillAsync("Kế hoạch");
        await page.Locator("#f-issuer").FillAsync("ĐẢNG BỘ TỈNH THANH HÓA\nTỈNH ỦY");
        await Expect(page.Locator("#c-code")).ToBeCheckedAsync();
        var patch = page.WaitForRequestAsync(r => r.Method == "PATCH");
        await page.ClickAsync("#save-button");
        var sent = JsonDocument.Parse((await patch).PostData!).RootElement;
        // Only what the reviewer touched: the untouched fields (signer, recipients…) are not sent.
        Assert.Equal(["code", "date", "issuer", "summary", "type"], sent.EnumerateObject().Select(p => p.Name).Order().ToArray());

        await Expect(page.Locator("#doc-status")).ToHaveAttributeAsync("data-status", "Digitised", new() { Timeout = 30_000 });
        await Expect(page.Locator("#doc-status")).ToContainTextAsync("Đã số hóa");
        await Expect(page.Locator("#save-state")).ToContainTextAsync("Đã lưu 5 trường");
        await Expect(page.Locator("#review-reason")).ToBeHiddenAsync();
        var summary = page.Locator(".review-field[data-field=summary]");
        await Expect(summary).ToHaveClassAsync(new Regex(@"\bcorrected\b"));
        await Expect(summary.Locator(".marker-corrected")).ToContainTextAsync("Đã sửa");
        await Expect(page.Locator("#f-summary")).ToHaveValueAsync(Summary);
        await Expect(page.Locator(".review-field[data-field=code]")).Not.ToHaveClassAsync(new Regex(@"\blow-confidence\b"));
        errors.AssertNone();

        // The server has the corrections and the review, and the trail records who made them.
        var document = await scan.Client.GetDocumentAsync(id);
        Assert.Equal("Digitised", document.GetProperty("status").GetString());
        Assert.True(document.GetProperty("fields").GetProperty("summary").GetProperty("corrected").GetBoolean());
        Assert.Equal(Summary, document.GetProperty("fields").GetProperty("summary").GetProperty("value").GetString());
        var actions = (await AuditAsync(id)).Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("fields-corrected", actions);
        Assert.Contains("opened-page-image", actions);
    }

    [CorpusFact]
    public async Task A_date_the_api_refuses_shows_its_problem_and_changes_nothing()
    {
        var shared = await scan.NeedsReviewAsync();
        var id = await scan.NeedsReviewAsync(fresh: true);
        var before = await scan.Client.GetDocumentAsync(id);
        await using var context = await chromium.NewContextAsync(scan.App.BaseAddress);
        var page = await context.NewPageAsync();
        var errors = PageErrors.Watch(page);
        await OpenWithKeyAsync(page, id);
        await Expect(page.Locator("#f-date")).ToBeEnabledAsync();
        // The same scan uploaded twice: same number, symbol and issuer, so the registry warns, linking the other one.
        Assert.Contains(shared, before.GetProperty("duplicates").EnumerateArray().Select(e => e.GetString()));
        await Expect(page.Locator("#duplicates")).ToBeVisibleAsync();
        await Expect(page.Locator($"#duplicates a[href='/review/{shared}']")).ToHaveTextAsync(shared);

        await page.Locator("#f-date").FillAsync("18/05/2025");
        await page.ClickAsync("#save-button");

        var problem = page.Locator("#save-problem");
        await Expect(problem).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(problem.Locator(".problem-title")).ToHaveTextAsync("Some corrections are not valid");
        await Expect(problem.Locator(".problem-detail")).ToContainTextAsync("yyyy-MM-dd");
        await Expect(page.Locator("#f-date")).ToHaveValueAsync("18/05/2025"); // the reviewer's input is kept to fix
        await Expect(page.Locator("#doc-status")).ToHaveAttributeAsync("data-status", "NeedsReview");
        errors.AssertNone();

        var after = await scan.Client.GetDocumentAsync(id);
        Assert.Equal("NeedsReview", after.GetProperty("status").GetString());
        Assert.Equal(before.GetProperty("fields").GetRawText(), after.GetProperty("fields").GetRawText());
        Assert.DoesNotContain(await AuditAsync(id), e => e.GetProperty("action").GetString() == "fields-corrected");
    }

    [CorpusFact]
    public async Task PageImage_is_a_png_of_the_page_and_a_missing_page_is_a_404_problem()
    {
        var id = await scan.NeedsReviewAsync();

        using var response = await scan.Client.GetAsync($"/api/documents/{id}/pages/1/image");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("private", response.Headers.CacheControl?.ToString());
        var png = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], png[..8]);
        // IHDR width: an A4 page at the default 100 dpi is about 827 pixels wide.
        var width = (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19];
        Assert.InRange(width, 800, 860);

        using var small = await scan.Client.GetAsync($"/api/documents/{id}/pages/2/image?dpi=50");
        var smallPng = await small.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.InRange((smallPng[16] << 24) | (smallPng[17] << 16) | (smallPng[18] << 8) | smallPng[19], 400, 430);

        using var missing = await scan.Client.GetAsync($"/api/documents/{id}/pages/99/image");
        var problem = await DocumentsHttp.ProblemAsync(missing, HttpStatusCode.NotFound);
        Assert.Contains("99", problem.GetProperty("title").GetString());
        using var unknown = await scan.Client.GetAsync("/api/documents/00000000000000000000000000000000/pages/1/image");
        await DocumentsHttp.ProblemAsync(unknown, HttpStatusCode.NotFound);
        using var badDpi = await scan.Client.GetAsync($"/api/documents/{id}/pages/1/image?dpi=5000");
        await DocumentsHttp.ProblemAsync(badDpi, HttpStatusCode.BadRequest);
        using var anonymous = scan.App.CreateClient(withKey: false);
        using var noKey = await anonymous.GetAsync($"/api/documents/{id}/pages/1/image");
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);

        Assert.Contains(await AuditAsync(id), e => e.GetProperty("action").GetString() == "opened-page-image" && e.GetProperty("detail").GetString() == "page 1, 100 dpi");
    }

    [Fact]
    public async Task Review_page_loads_without_a_key_under_the_same_policy_and_asks_for_the_key()
    {
        using var anonymous = scan.App.CreateClient(withKey: false);
        using var response = await anonymous.GetAsync("/review/0123456789abcdef0123456789abcdef");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<script src=\"/review.js\" defer></script>", html);
        Assert.DoesNotMatch(new Regex("<script(?![^>]*\\ssrc=)", RegexOptions.IgnoreCase), html);

        await using var context = await chromium.NewContextAsync(scan.App.BaseAddress);
        var page = await context.NewPageAsync();
        var errors = PageErrors.Watch(page);
        await page.GotoAsync("/review/0123456789abcdef0123456789abcdef");
        await Expect(page.Locator("#key-card")).ToBeVisibleAsync();
        await page.GetByLabel("Khóa API").FillAsync(scan.App.ReadAdminKey());
        await page.ClickAsync("#key-save");
        await Expect(page.Locator("#load-problem .problem-title")).ToContainTextAsync("No document");
        await Expect(page.Locator("#key-card")).ToBeHiddenAsync();
        errors.AssertNone();
    }

    [CorpusFact]
    public async Task The_documents_list_links_each_digitised_document_to_its_review_page()
    {
        var id = await scan.NeedsReviewAsync();
        await using var context = await chromium.NewContextAsync(scan.App.BaseAddress);
        var page = await context.NewPageAsync();
        var errors = PageErrors.Watch(page);
        await page.GotoAsync("/");
        await page.GetByLabel("Khóa API").FillAsync(scan.App.ReadAdminKey());
        await page.ClickAsync("#key-save");

        var link = page.Locator($"#document-rows tr[data-document-id='{id}'] a[data-action=review]");
        await Expect(link).ToContainTextAsync("Kiểm tra");
        await link.ClickAsync();
        await page.WaitForURLAsync($"**/review/{id}");
        // Same tab, same sessionStorage: the key carries over and the document opens.
        await Expect(page.Locator("#f-code")).ToHaveValueAsync("587-KH/TU", new() { Timeout = 30_000 });
        await Expect(page.Locator("#key-card")).ToBeHiddenAsync();
        errors.AssertNone();
    }

    private async Task<List<JsonElement>> AuditAsync(string id)
        => [.. (await scan.Client.GetFromJsonAsync<JsonElement>($"/api/documents/{id}/audit")).EnumerateArray()];

    private async Task OpenWithKeyAsync(IPage page, string id)
    {
        await page.GotoAsync($"/review/{id}");
        await Expect(page.Locator("#key-card")).ToBeVisibleAsync(); // a new tab has no key yet
        await page.GetByLabel("Khóa API").FillAsync(scan.App.ReadAdminKey());
        await page.ClickAsync("#key-save");
        await Expect(page.Locator("#doc-title")).ToHaveTextAsync("scan.pdf", new() { Timeout = 30_000 });
        await Expect(page.Locator("#load-problem")).ToBeHiddenAsync();
    }

    /// <summary>
    /// The app with review threshold 1.0, and doc000 uploaded and digitised into NeedsReview once for the class
    /// (OCR takes tens of seconds on a busy machine). A test that changes the document asks for a fresh copy.
    /// </summary>
    public sealed class ReviewedScan : IAsyncLifetime
    {
        private static readonly TimeSpan DigitiseTimeout = TimeSpan.FromMinutes(4);
        private readonly SemaphoreSlim _gate = new(1, 1);
        private string? _shared;
        private string? _workingDirectory;
        private PipelineApp? _app;

        /// <summary>The app.</summary>
        public PipelineApp App => _app ?? throw new InvalidOperationException("Not started.");

        /// <summary>A client sending the admin key.</summary>
        public HttpClient Client { get; private set; } = null!;

        /// <summary>
        /// The id of doc000 in NeedsReview: the same document for every caller, or with <paramref name="fresh"/> a new
        /// upload of the scan that other tests have not touched (the same registry entry, so the two are duplicates).
        /// </summary>
        public async Task<string> NeedsReviewAsync(bool fresh = false)
        {
            await _gate.WaitAsync();
            try
            {
                if (!fresh && _shared is not null) return _shared;
                var id = await UploadAsync(fresh);
                if (!fresh) _shared = id;
                return id;
            }
            finally
            {
                _gate.Release();
            }
        }

        private async Task<string> UploadAsync(bool fresh)
        {
            var path = DocumentsHttp.Corpus("vn-official", "doc000", "scan.pdf");
            var bytes = await File.ReadAllBytesAsync(path);
            // The same bytes would answer the first document (duplicateOf): a fresh copy differs by a trailing PDF comment.
            if (fresh) bytes = [.. bytes, .. "\n% review test copy\n"u8.ToArray()];
            using var response = await Client.UploadAsync([("scan.pdf", bytes)]);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"upload answered {(int)response.StatusCode}: {body}");
            var id = JsonDocument.Parse(body).RootElement.GetProperty("documents")[0].GetProperty("documentId").GetString()!;
            var document = await Client.WaitForDocumentAsync(id, DigitiseTimeout);
            Assert.True(document.GetProperty("status").GetString() == "NeedsReview", $"expected NeedsReview: {document}");
            return id;
        }

        public async Task InitializeAsync()
        {
            _workingDirectory = PipelineApp.CreateWorkingDirectory(json => json.Replace("\"reviewThreshold\": 0.9", "\"reviewThreshold\": 1.0"));
            _app = await PipelineApp.StartAsync(_workingDirectory);
            Client = _app.CreateClient();
        }

        public async Task DisposeAsync()
        {
            Client?.Dispose();
            if (_app is not null) await _app.DisposeAsync();
            if (_workingDirectory is not null) PipelineApp.DeleteDirectory(_workingDirectory);
        }
    }
}
