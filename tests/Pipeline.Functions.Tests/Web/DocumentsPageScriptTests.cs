using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Pipeline.Functions.Tests.Web;

/// <summary>
/// The page's script against scripted API answers (the browser's requests to <c>/api</c> and <c>/runtime</c> are
/// answered by the test; the page itself comes from the real app): progress from the orchestration's custom status,
/// duplicates, rejections, search, and that data is only ever shown as text.
/// </summary>
public sealed class DocumentsPageScriptTests(PipelineAppFixture app, ChromiumFixture chromium)
    : IClassFixture<PipelineAppFixture>, IClassFixture<ChromiumFixture>
{
    private const string Key = "test-key";
    private const string HostileName = "<img src=x onerror=\"document.title='pwned'\">.pdf";

    [Fact]
    public async Task Upload_shows_page_progress_duplicates_and_rejections_then_the_text()
    {
        var api = new ScriptedApi();
        await using var context = await chromium.NewContextAsync(app.App.BaseAddress);
        var page = await context.NewPageAsync();
        var errors = PageErrors.Watch(page);
        await api.InstallAsync(page);
        await page.GotoAsync("/");
        await page.GetByLabel("Khóa API").FillAsync(Key);
        await page.ClickAsync("#key-save");
        await Expect(page.Locator("#list-summary")).ToContainTextAsync("1 văn bản");

        await page.SetInputFilesAsync("#files", new[]
        {
            new FilePayload { Name = HostileName, MimeType = "application/pdf", Buffer = Encoding.ASCII.GetBytes("%PDF-1.4 new") },
            new FilePayload { Name = "old.pdf", MimeType = "application/pdf", Buffer = Encoding.ASCII.GetBytes("%PDF-1.4 old") },
        });
        await page.FillAsync("#dossier", "HS-2024/07");
        await page.SelectOptionAsync("#secrecy", "toi-mat");
        await page.ClickAsync("#upload-button");

        await Expect(page.Locator("#upload-result li.accepted")).ToContainTextAsync(HostileName);
        await Expect(page.Locator("#upload-result li.duplicate")).ToContainTextAsync("already uploaded");

        var upload = Assert.Single(api.Uploads);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", upload.IdempotencyKey);
        Assert.Contains("name=\"dossier\"\r\n\r\nHS-2024/07", upload.Body);
        Assert.Contains("name=\"secrecy\"\r\n\r\ntoi-mat", upload.Body);
        Assert.Contains("name=\"language\"\r\n\r\nvie+eng", upload.Body);
        Assert.Equal(2, Regex.Matches(upload.Body, "name=\"file\"").Count);

        var row = page.Locator("#document-rows tr[data-document-id=d1]");
        var progress = row.Locator("progress");
        await Expect(progress).ToHaveJSPropertyAsync("max", 3);
        await Expect(progress).ToHaveJSPropertyAsync("value", 2);
        await Expect(row).ToContainTextAsync("2/3 trang");
        await Expect(row).ToHaveAttributeAsync("data-status", "Digitised", new() { Timeout = 20_000 });
        await Expect(progress).ToHaveCountAsync(0);

        // The hostile file name is text, not markup.
        await Expect(row.Locator("td.file")).ToContainTextAsync(HostileName);
        await Expect(page.Locator("#document-rows img")).ToHaveCountAsync(0);
        Assert.NotEqual("pwned", await page.TitleAsync());

        var rejected = page.Locator("#document-rows tr[data-document-id=d2]");
        await Expect(rejected).ToContainTextAsync("Tệp PDF được mã hóa bằng mật khẩu");
        await Expect(rejected.Locator("button[data-action=text]")).ToHaveCountAsync(0);

        await row.Locator("button[data-action=text]").ClickAsync();
        await Expect(page.Locator("#viewer-text")).ToContainTextAsync("ĐẢNG CỘNG SẢN VIỆT NAM");
        await Expect(page.Locator("#viewer-text")).ToContainTextAsync("<b>trang 2</b>");

        await page.FillAsync("#search", "dang cong san");
        await page.ClickAsync("#search-form button[type=submit]");
        await Expect(page.Locator("#list-summary")).ToContainTextAsync("dang cong san");
        Assert.Contains(api.Requests, r => r.Contains("q=dang+cong+san", StringComparison.Ordinal));

        Assert.All(api.Keys, k => Assert.Equal(Key, k));
        errors.AssertNone();
    }

    /// <summary>The API as the page sees it, scripted: d1 is uploaded and goes 1/3, 2/3, done; d0 is its duplicate; d2 was rejected.</summary>
    private sealed class ScriptedApi
    {
        private int _statusPolls;
        private bool _uploaded;

        public ConcurrentQueue<(string IdempotencyKey, string Body)> Uploads { get; } = new();
        public ConcurrentQueue<string> Requests { get; } = new();
        public ConcurrentQueue<string> Keys { get; } = new();

        public async Task InstallAsync(IPage page)
        {
            await page.RouteAsync(new Regex("/(api|runtime)/"), async route =>
            {
                var request = route.Request;
                Requests.Enqueue(request.Method + " " + request.Url);
                Keys.Enqueue(request.Headers.TryGetValue("x-functions-key", out var key) ? key : "");
                var (status, body, type) = Answer(request);
                await route.FulfillAsync(new RouteFulfillOptions { Status = status, Body = body, ContentType = type });
            });
        }

        private (int, string, string) Answer(IRequest request)
        {
            var url = new Uri(request.Url);
            var path = url.AbsolutePath;
            const string json = "application/json";
            if (request.Method == "POST" && path == "/api/documents")
            {
                Uploads.Enqueue((request.Headers.GetValueOrDefault("idempotency-key", ""), Encoding.UTF8.GetString(request.PostDataBuffer ?? [])));
                _uploaded = true;
                return (202, Json(new
                {
                    documents = new object[]
                    {
                        new { documentId = "d1", instanceId = "i1", statusQueryGetUri = $"{url.GetLeftPart(UriPartial.Authority)}/runtime/webhooks/durabletask/instances/i1" },
                        new { documentId = "d0", instanceId = "i0", statusQueryGetUri = "x", duplicateOf = "d0" },
                    },
                }), json);
            }
            if (path == "/api/documents")
            {
                var q = System.Web.HttpUtility.ParseQueryString(url.Query)["q"];
                var all = _uploaded ? new[] { Document("d1", Status1()), Document("d0", "Digitised"), Document("d2", "Rejected") } : [Document("d2", "Rejected")];
                var listed = all.Where(d => q is null || d.fileName == HostileName).Select(d => (object)new { d.id, d.fileName, d.status, d.pages, d.secrecy, d.createdTime, d.instanceId }).ToArray();
                return (200, Json(new { documents = listed, page = 1, pageSize = 20, total = listed.Length }), json);
            }
            if (path == "/runtime/webhooks/durabletask/instances/i1")
            {
                var n = Interlocked.Increment(ref _statusPolls);
                var (done, runtime, stage) = n switch { <= 2 => (1, "Running", "ocr"), <= 4 => (2, "Running", "ocr"), _ => (3, "Completed", "done") };
                return (runtime == "Completed" ? 200 : 202, Json(new { instanceId = "i1", runtimeStatus = runtime, customStatus = new { stage, pagesDone = done, pagesTotal = 3 } }), json);
            }
            if (path == "/api/documents/d1") return (200, Json(Document("d1", Status1())), json);
            if (path == "/api/documents/d0") return (200, Json(Document("d0", "Digitised")), json);
            if (path == "/api/documents/d2") return (200, Json(Document("d2", "Rejected")), json);
            if (path == "/api/documents/d1/text") return (200, "ĐẢNG CỘNG SẢN VIỆT NAM\n\f<b>trang 2</b>", "text/plain; charset=utf-8");
            return (404, Json(new { title = "Not Found", status = 404 }), "application/problem+json");
        }

        private string Status1() => Volatile.Read(ref _statusPolls) > 4 ? "Digitised" : "Digitising";

        private static ScriptedDocument Document(string id, string status) => new(
            id,
            id == "d1" ? HostileName : id + ".pdf",
            status,
            id == "d2" ? null : 3,
            id == "d1" ? "toi-mat" : "none",
            "2024-07-01T08:00:00Z",
            id == "d2" ? "i2" : "i" + id[1..],
            status == "Rejected" ? new { code = "encrypted", message = "Tệp PDF được mã hóa bằng mật khẩu" } : null,
            new { original = $"/api/documents/{id}/original", archive = $"/api/documents/{id}/archive", text = $"/api/documents/{id}/text" });

        private static string Json(object value) => JsonSerializer.Serialize(value);

        private sealed record ScriptedDocument(string id, string fileName, string status, int? pages, string secrecy, string createdTime, string instanceId, object? error, object links);
    }
}
