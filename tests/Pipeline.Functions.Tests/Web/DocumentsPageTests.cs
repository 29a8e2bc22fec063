using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Pipeline.Testing;
using static Microsoft.Playwright.Assertions;

namespace Pipeline.Functions.Tests.Web;

/// <summary>The clerk's page at <c>/</c>, in a real browser against the real app.</summary>
public sealed class DocumentsPageTests(PipelineAppFixture app, ChromiumFixture chromium)
    : IClassFixture<PipelineAppFixture>, IClassFixture<ChromiumFixture>
{
    private static readonly TimeSpan DigitiseTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Page_loads_without_a_key_and_only_runs_its_own_script()
    {
        using var page = await app.Anonymous.GetAsync("/");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("nosniff", Header(page, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Header(page, "Referrer-Policy"));
        Assert.Contains("<html lang=\"vi\">", html);
        Assert.Contains("<script src=\"/common.js\" defer></script>\n<script src=\"/approvals.js\" defer></script>\n<script src=\"/documents.js\" defer></script>", html);
        Assert.DoesNotMatch(new Regex("<script(?![^>]*\\ssrc=)", RegexOptions.IgnoreCase), html); // no inline script

        using var script = await app.Anonymous.GetAsync("/documents.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        // The key header is sent by the API helper both pages share.
        using var common = await app.Anonymous.GetAsync("/common.js");
        Assert.Equal(HttpStatusCode.OK, common.StatusCode);
        Assert.Equal("text/javascript", common.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", string.Join(";", common.Headers.GetValues("Content-Security-Policy")));
        Assert.Contains("x-functions-key", await common.Content.ReadAsStringAsync());
        using var styles = await app.Anonymous.GetAsync("/common.css");
        Assert.Equal("text/css", styles.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_wrong_key_shows_the_servers_problem_title()
    {
        await using var context = await chromium.NewContextAsync(app.App.BaseAddress);
        var page = await context.NewPageAsync();
        var errors = PageErrors.Watch(page);
        await page.GotoAsync("/");

        await page.GetByLabel("Khóa API").FillAsync("not-the-key");
        await page.ClickAsync("#key-save");

        var problem = page.Locator("#list-problem");
        await Expect(problem).ToBeVisibleAsync();
        await Expect(problem.Locator(".problem-title")).ToHaveTextAsync("Missing or wrong function key");
        await Expect(problem.Locator(".problem-detail")).ToContainTextAsync("admin.key");
        errors.AssertNone();
    }

    [Fact]
    public async Task Uploading_an_empty_pdf_shows_the_problem_title_the_api_answers()
    {
        var expected = await UploadDirectlyAsync("empty.pdf", "application/pdf", []);
        Assert.True((int)expected.Status is >= 400 and < 500, $"Expected a 4xx problem for an empty PDF, got {(int)expected.Status}.");

        await using var context = await chromium.NewContextAsync(app.App.BaseAddress);
        var page = await context.NewPageAsync();
        var errors = PageErrors.Watch(page);
        await OpenWithKeyAsync(page);

        await page.SetInputFilesAsync("#files", new FilePayload { Name = "empty.pdf", MimeType = "application/pdf", Buffer = [] });
        await page.ClickAsync("#upload-button");

        var problem = page.Locator("#upload-problem");
        await Expect(problem).ToBeVisibleAsync();
        await Expect(problem.Locator(".problem-title")).ToHaveTextAsync(expected.Title);
        await Expect(page.Locator("#upload-button")).ToBeEnabledAsync();
        errors.AssertNone();
    }

    [CorpusFact]
    public async Task An_uploaded_scan_shows_its_progress_then_its_status_and_text()
    {
        var scan = RepoPaths.CorpusPath("vn-official", "doc000", "scan.pdf");
        await using var context = await chromium.NewContextAsync(app.App.BaseAddress);
        var page = await context.NewPageAsync();
        var errors = PageErrors.Watch(page);
        var polls = 0;
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/runtime/webhooks/durabletask/instances/", StringComparison.Ordinal)) Interlocked.Increment(ref polls);
        };
        await OpenWithKeyAsync(page);

        await page.SetInputFilesAsync("#files", scan);
        await page.SelectOptionAsync("#secrecy", "mat");
        await page.ClickAsync("#upload-button");

        await Expect(page.Locator("#upload-result li.accepted")).ToContainTextAsync("scan.pdf");
        var row = page.Locator("#document-rows tr", new PageLocatorOptions { HasText = "scan.pdf" });
        // The bar is shown while the document is digitised; the scan takes seconds to OCR, far longer than the page needs to show it.
        await Expect(row.Locator("progress")).ToBeAttachedAsync(new() { Timeout = 30_000 });
        await Expect(row).ToHaveAttributeAsync("data-status", new Regex("^(Digitised|NeedsReview)$"),
            new() { Timeout = (float)DigitiseTimeout.TotalMilliseconds });
        await Expect(row.Locator("progress")).ToHaveCountAsync(0);
        // Declared Mật at upload; the scan carries a TỐI MẬT stamp, which raises it (never lowers).
        await Expect(row).ToContainTextAsync("Tối mật");
        Assert.True(Volatile.Read(ref polls) > 0, "The page never asked the orchestration for its progress.");

        // Nothing is in progress any more: the page stops polling.
        await page.WaitForTimeoutAsync(500);
        var pollsWhenDone = Volatile.Read(ref polls);
        await page.WaitForTimeoutAsync(2500);
        Assert.Equal(pollsWhenDone, Volatile.Read(ref polls));

        await row.Locator("button[data-action=text]").ClickAsync();
        var text = page.Locator("#viewer-text");
        await Expect(text).ToContainTextAsync("CỘNG SẢN", new() { Timeout = 30_000 });

        // Search is the server's: without diacritics or case it still finds the document; nonsense finds nothing.
        await page.FillAsync("#search", "dang cong san");
        await page.ClickAsync("#search-form button[type=submit]");
        await Expect(page.Locator("#list-summary")).ToContainTextAsync("dang cong san");
        await Expect(row).ToBeVisibleAsync();
        await page.FillAsync("#search", "zzkhongcovanbannayzz");
        await page.ClickAsync("#search-form button[type=submit]");
        await Expect(page.Locator("#list-summary")).ToContainTextAsync("Không có văn bản nào khớp");
        await Expect(page.Locator("#document-rows tr")).ToHaveCountAsync(0);
        await page.ClickAsync("#search-clear");
        await Expect(row).ToBeVisibleAsync();

        // The archive opens in a new tab from an object URL fetched with the key (a link cannot carry the header).
        var popup = await page.RunAndWaitForPopupAsync(() => row.Locator("button[data-action=archive]").ClickAsync());
        // Commit, not Load: the PDF viewer of a headless browser may never fire load for a blob PDF.
        await popup.WaitForURLAsync(new Regex("^blob:"), new() { Timeout = 30_000, WaitUntil = WaitUntilState.Commit });
        errors.AssertNone();
    }

    private async Task OpenWithKeyAsync(IPage page)
    {
        await page.GotoAsync("/");
        await page.GetByLabel("Khóa API").FillAsync(app.App.ReadAdminKey());
        await page.ClickAsync("#key-save");
        await Expect(page.Locator("#list-summary")).Not.ToBeEmptyAsync();
        await Expect(page.Locator("#list-problem")).ToBeHiddenAsync();
    }

    /// <summary>POSTs one file to /api/documents as the page would and returns the status and problem title.</summary>
    private async Task<(HttpStatusCode Status, string Title)> UploadDirectlyAsync(string fileName, string contentType, byte[] bytes)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "file", fileName);
        using var response = await app.Client.PostAsync("/api/documents", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, DurableHttp.Parse(body).GetProperty("title").GetString()!);
    }

    private static string Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";
}
