using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Pipeline.Functions.Tests.Approval;
using Pipeline.Functions.Tests.Documents;
using Pipeline.Functions.Tests.Mail;
using static Microsoft.Playwright.Assertions;

namespace Pipeline.Functions.Tests.Web;

/// <summary>
/// Approvals on the clerk's page at <c>/</c>, in headless Chromium: sending a document from the inline form, following
/// the approval in its panel, cancelling it, and seeing it come back with the approver's comment.
/// </summary>
public sealed class ApprovalPanelTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private const string ChiefOfStaff = "cvp@panel.vn";

    // The panel re-reads a pending approval every 3 s; the workflow itself may take seconds on a busy machine.
    private const float ApprovalTimeout = 30_000;

    [CorpusFact]
    public async Task A_clerk_sends_a_document_for_approval_follows_it_cancels_it_and_sees_it_returned_with_the_comment()
    {
        var directory = PipelineApp.CreateWorkingDirectory(ApprovalHttp.WithoutReview);
        try
        {
            await using var app = await PipelineApp.StartAsync(directory);
            using var client = app.CreateClient();
            var id = (await client.DigitisedAsync("doc001"))[0];

            await using var context = await chromium.NewContextAsync(app.BaseAddress);
            var page = await context.NewPageAsync();
            var errors = PageErrors.Watch(page);
            await page.GotoAsync("/");
            await page.GetByLabel("Khóa API").FillAsync(app.ReadAdminKey());
            await page.ClickAsync("#key-save");

            var row = page.Locator($"#document-rows tr[data-document-id=\"{id}\"]");
            var approvals = page.Locator($"#document-rows tr[data-approvals-for=\"{id}\"]");
            var panel = approvals.Locator(".approval-panel");
            var form = approvals.Locator("form.approval-form");
            var send = row.Locator("button[data-action=send-approval]");
            await Expect(row).ToHaveAttributeAsync("data-status", "Digitised");

            // A step with mistakes: the page shows the server's problem and every mistake it lists; nothing is sent.
            const string brokenRoute = """{"steps":[{"name":"Chánh Văn phòng","approvers":["khong-phai-dia-chi"],"mode":"any","due":"P1W"}]}""";
            var expected = await ProblemOfAsync(client, id, brokenRoute);
            Assert.True(expected.Errors.Length >= 2, $"Expected a mistake for the address and one for the due time: {string.Join(" | ", expected.Errors)}");
            await send.ClickAsync();
            await FillStepAsync(form, "Chánh Văn phòng", "khong-phai-dia-chi", "P1W");
            await form.GetByRole(AriaRole.Button, new() { Name = "Gửi trình duyệt" }).ClickAsync();
            var problem = form.Locator(".problem");
            await Expect(problem.Locator(".problem-title")).ToHaveTextAsync(expected.Title);
            await Expect(problem.Locator(".problem-errors li")).ToHaveTextAsync(expected.Errors);
            await Expect(form.Locator(".step-row.invalid")).ToHaveCountAsync(1);
            Assert.Equal("Digitised", (await client.GetDocumentAsync(id)).GetProperty("status").GetString());

            // Corrected and sent: the panel shows the pending approval and its step, the row says InApproval, the mail is out.
            await FillStepAsync(form, "Chánh Văn phòng", ChiefOfStaff, "P2D");
            await form.GetByRole(AriaRole.Button, new() { Name = "Gửi trình duyệt" }).ClickAsync();
            await Expect(panel).ToHaveAttributeAsync("data-approval-status", "Pending");
            await Expect(form).ToHaveCountAsync(0);
            await Expect(row).ToHaveAttributeAsync("data-status", "InApproval");
            await Expect(send).ToHaveCountAsync(0);
            var step = panel.Locator(".approval-step").First;
            await Expect(step).ToHaveAttributeAsync("data-step-status", "Pending", new() { Timeout = ApprovalTimeout });
            await Expect(step).ToContainTextAsync("Chánh Văn phòng");
            await Expect(step).ToContainTextAsync(ChiefOfStaff);
            var firstMails = await ApprovalHttp.WaitForOutboxAsync(app.DataDirectory, m => m.To(ChiefOfStaff).Count >= 1);
            var firstLink = firstMails.LinkFor(ChiefOfStaff);
            // The due time is the server's, shown as an office in Vietnam reads it.
            var dueAt = (await LatestApprovalAsync(client, id)).GetProperty("steps")[0].GetProperty("dueAt").GetDateTime();
            await Expect(step.Locator(".step-due")).ToContainTextAsync(VietnamTime(dueAt));

            // Cancelling asks for a reason first; then the approval ends Cancelled and the document is Digitised again.
            await Expect(panel.GetByLabel("Lý do hủy")).ToBeHiddenAsync();
            await panel.GetByRole(AriaRole.Button, new() { Name = "Hủy trình duyệt" }).ClickAsync();
            await panel.GetByRole(AriaRole.Button, new() { Name = "Xác nhận hủy" }).ClickAsync();
            await Expect(panel.Locator(".cancel-area .problem-title")).ToContainTextAsync("Chưa nhập lý do hủy");
            await panel.GetByLabel("Lý do hủy").FillAsync("Gửi nhầm người duyệt");
            await panel.GetByRole(AriaRole.Button, new() { Name = "Xác nhận hủy" }).ClickAsync();
            await Expect(panel).ToHaveAttributeAsync("data-approval-status", "Cancelled");
            await Expect(row).ToHaveAttributeAsync("data-status", "Digitised");
            await Expect(panel.GetByRole(AriaRole.Button, new() { Name = "Hủy trình duyệt" })).ToHaveCountAsync(0);
            Assert.Equal("Cancelled", (await LatestApprovalAsync(client, id)).GetProperty("status").GetString());
            Assert.Equal("Digitised", (await client.GetDocumentAsync(id)).GetProperty("status").GetString());

            // Sent again: the form starts from the cancelled approval's step.
            await send.ClickAsync();
            await Expect(form.GetByLabel("Người duyệt")).ToHaveValueAsync(ChiefOfStaff);
            await form.GetByRole(AriaRole.Button, new() { Name = "Gửi trình duyệt" }).ClickAsync();
            await Expect(panel).ToHaveAttributeAsync("data-approval-status", "Pending");
            await Expect(row).ToHaveAttributeAsync("data-status", "InApproval");
            var mails = await ApprovalHttp.WaitForOutboxAsync(app.DataDirectory, m => Links(m, ChiefOfStaff).Any(l => l != firstLink));
            var secondLink = Links(mails, ChiefOfStaff).Single(l => l != firstLink);

            // The approver returns it from the mailed link; the page, still polling, shows it with the comment up front.
            using (var decided = await client.DecideAsync(secondLink, "return", "Sửa trích yếu"))
                Assert.True(decided.IsSuccessStatusCode, $"The decision answered {(int)decided.StatusCode}.");
            await Expect(panel).ToHaveAttributeAsync("data-approval-status", "Returned", new() { Timeout = ApprovalTimeout });
            await Expect(row).ToHaveAttributeAsync("data-status", "Returned", new() { Timeout = ApprovalTimeout });
            await Expect(panel.Locator(".approver-comment blockquote")).ToHaveTextAsync("Sửa trích yếu");
            await Expect(panel.Locator(".approver-comment")).ToContainTextAsync(ChiefOfStaff);
            await Expect(panel.Locator(".approver-comment a[data-action=review-fields]")).ToHaveAttributeAsync("href", $"/review/{id}");
            await Expect(panel.Locator(".decisions tbody tr").First).ToContainTextAsync("Trả lại để chỉnh sửa");
            await Expect(panel.Locator(".earlier-approvals")).ToContainTextAsync("Đã hủy");
            await Expect(send).ToBeVisibleAsync(); // a returned document can be corrected and sent again
            errors.AssertNone();
        }
        finally
        {
            PipelineApp.DeleteDirectory(directory);
        }
    }

    [Fact]
    public async Task The_panel_follows_a_pending_approval_to_its_end_highlights_overdue_steps_and_shows_api_text_as_text()
    {
        await using var app = await PipelineApp.StartAsync();
        var api = new ScriptedApprovals();
        await using var context = await chromium.NewContextAsync(app.BaseAddress);
        var page = await context.NewPageAsync();
        var errors = PageErrors.Watch(page);
        await page.RouteAsync(new Regex("/(api|runtime)/"), api.AnswerAsync);
        await page.GotoAsync("/");
        await page.GetByLabel("Khóa API").FillAsync("test-key");
        await page.ClickAsync("#key-save");

        var pending = page.Locator("#document-rows tr[data-approvals-for=d1] .approval-panel");
        await Expect(pending).ToHaveAttributeAsync("data-approval-status", "Pending");
        var overdue = pending.Locator(".approval-step").Nth(1);
        await Expect(overdue).ToHaveAttributeAsync("data-step-status", "Overdue");
        await Expect(overdue).ToHaveClassAsync(new Regex(@"\bstep-Overdue\b"));
        await Expect(overdue.Locator(".step-status")).ToHaveTextAsync("Quá hạn");
        // 03:00 UTC is 10:00 in Vietnam (UTC+7), whatever the browser's own time zone.
        await Expect(overdue.Locator(".step-due")).ToContainTextAsync("Hạn: 10:00 ngày 20/11/2026 (giờ Việt Nam)");
        await Expect(pending.Locator(".decisions td.comment")).ToHaveTextAsync(ScriptedApprovals.Hostile);
        await Expect(page.Locator("#document-rows tr[data-document-id=d1] button[data-action=send-approval]")).ToHaveCountAsync(0);
        await Expect(pending.GetByRole(AriaRole.Button, new() { Name = "Hủy trình duyệt" })).ToBeVisibleAsync();
        await Expect(pending.GetByLabel("Lý do hủy")).ToBeHiddenAsync(); // asked for only once the clerk means to cancel

        // Rejected by an approver (no error): the comment, the review link and the button to send it again.
        // Rejected at upload (an error): never offered for approval.
        var rejectedRow = page.Locator("#document-rows tr[data-document-id=d3]");
        var rejected = page.Locator("#document-rows tr[data-approvals-for=d3] .approval-panel");
        await Expect(rejected).ToHaveAttributeAsync("data-approval-status", "Rejected");
        await Expect(rejected.Locator(".approver-comment blockquote")).ToHaveTextAsync(ScriptedApprovals.Hostile);
        await Expect(rejectedRow.Locator("button[data-action=send-approval]")).ToBeVisibleAsync();
        await Expect(page.Locator("#document-rows tr[data-document-id=d2]")).ToContainTextAsync("Tệp PDF được mã hóa bằng mật khẩu");
        await Expect(page.Locator("#document-rows tr[data-document-id=d2] button[data-action=send-approval]")).ToHaveCountAsync(0);
        await Expect(page.Locator("#document-rows tr[data-approvals-for=d2]")).ToBeHiddenAsync();

        // The pending approval is re-read until it ends; then the row follows and the page stops asking.
        await Expect(pending).ToHaveAttributeAsync("data-approval-status", "Approved", new() { Timeout = 20_000 });
        await Expect(page.Locator("#document-rows tr[data-document-id=d1]")).ToHaveAttributeAsync("data-status", "Approved");
        await Expect(pending.GetByRole(AriaRole.Button, new() { Name = "Hủy trình duyệt" })).ToHaveCountAsync(0);
        var reads = api.ApprovalReads;
        await page.WaitForTimeoutAsync(4000);
        Assert.Equal(reads, api.ApprovalReads);

        // Text from the API never became markup.
        await Expect(page.Locator("#document-rows img")).ToHaveCountAsync(0);
        Assert.NotEqual("pwned", await page.TitleAsync());
        Assert.All(api.Keys, k => Assert.Equal("test-key", k));
        errors.AssertNone();
    }

    /// <summary>Fills the first step row of the open form.</summary>
    private static async Task FillStepAsync(ILocator form, string name, string approvers, string due)
    {
        await form.GetByLabel("Tên bước").FillAsync(name);
        await form.GetByLabel("Người duyệt").FillAsync(approvers);
        await form.GetByLabel("Cách duyệt").SelectOptionAsync("any");
        await form.GetByLabel("Thời hạn").FillAsync(due);
    }

    /// <summary>What the API answers to <paramref name="route"/>, sent directly: the problem the page must show.</summary>
    private static async Task<(string Title, string[] Errors)> ProblemOfAsync(HttpClient client, string documentId, string route)
    {
        using var response = await client.PostApprovalAsync(documentId, route);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(body).RootElement;
        return (problem.GetProperty("title").GetString()!, [.. problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!)]);
    }

    private static async Task<JsonElement> LatestApprovalAsync(HttpClient client, string documentId)
    {
        var list = JsonDocument.Parse(await client.GetStringAsync($"/api/documents/{documentId}/approvals")).RootElement.GetProperty("approvals");
        return list[list.GetArrayLength() - 1].Clone();
    }

    /// <summary>The decision links mailed to <paramref name="address"/> (mails without one, if any, left out).</summary>
    private static IEnumerable<string> Links(IReadOnlyList<EmlReader> mails, string address) =>
        mails.To(address).Where(m => m.Text.Contains("/approvals/", StringComparison.Ordinal)).Select(m => ApprovalHttp.LinkIn(m.Text)).Distinct();

    private static string VietnamTime(DateTime utc) =>
        new DateTimeOffset(DateTime.SpecifyKind(utc.ToUniversalTime(), DateTimeKind.Utc)).ToOffset(TimeSpan.FromHours(7))
            .ToString("HH:mm 'ngày' dd/MM/yyyy", CultureInfo.InvariantCulture) + " (giờ Việt Nam)";

    /// <summary>
    /// The API as the page sees it, scripted: d1 waits in approval (its second step overdue) and is approved after a few
    /// reads; d2 was rejected at upload (an error); d3 was rejected by an approver. Comments carry markup that must stay text.
    /// </summary>
    private sealed class ScriptedApprovals
    {
        public const string Hostile = "<img src=x onerror=\"document.title='pwned'\"> Không đúng thể thức";
        private const string Json = "application/json";
        private int _approvalReads;

        public int ApprovalReads => Volatile.Read(ref _approvalReads);
        public ConcurrentQueue<string> Keys { get; } = new();

        private bool Decided => Volatile.Read(ref _approvalReads) > 2;

        public async Task AnswerAsync(IRoute route)
        {
            var request = route.Request;
            Keys.Enqueue(request.Headers.TryGetValue("x-functions-key", out var key) ? key : "");
            var (status, body) = Answer(new Uri(request.Url).AbsolutePath);
            await route.FulfillAsync(new RouteFulfillOptions { Status = status, Body = body, ContentType = status < 300 ? Json : "application/problem+json" });
        }

        private (int, string) Answer(string path) => path switch
        {
            "/api/documents" => (200, Serialize(new
            {
                documents = new[] { Listed("d1", D1Status()), Listed("d2", "Rejected"), Listed("d3", "Rejected") },
                page = 1, pageSize = 20, total = 3,
            })),
            "/api/documents/d1" => (200, Serialize(Document("d1", D1Status(), null))),
            "/api/documents/d2" => (200, Serialize(Document("d2", "Rejected", new { code = "pdf-encrypted", message = "Tệp PDF được mã hóa bằng mật khẩu" }))),
            "/api/documents/d3" => (200, Serialize(Document("d3", "Rejected", null))),
            "/api/documents/d1/approvals" => (200, Serialize(new { approvals = new[] { D1Approval(Interlocked.Increment(ref _approvalReads) > 2) } })),
            "/api/documents/d3/approvals" => (200, Serialize(new { approvals = new[] { D3Approval() } })),
            "/api/documents/d2/approvals" => (200, Serialize(new { approvals = Array.Empty<object>() })),
            _ => (404, Serialize(new { title = "Not Found", status = 404 })),
        };

        private string D1Status() => Decided ? "Approved" : "InApproval";

        private static object Listed(string id, string status) => new { id, fileName = id + ".pdf", status, pages = 1, secrecy = "none", createdTime = "2026-11-18T01:00:00Z", instanceId = "i-" + id };

        private static object Document(string id, string status, object? error) => new
        {
            id, fileName = id + ".pdf", status, error, pages = 1, secrecy = "none", createdTime = "2026-11-18T01:00:00Z", instanceId = "i-" + id,
            links = new { original = $"/api/documents/{id}/original", archive = $"/api/documents/{id}/archive", text = $"/api/documents/{id}/text" },
        };

        private static object D1Approval(bool decided) => new
        {
            approvalId = "a1", documentId = "d1", status = decided ? "Approved" : "Pending", currentStep = decided ? (int?)null : 1, route = (string?)null,
            createdTime = "2026-11-18T02:00:00Z", finishedTime = decided ? "2026-11-20T04:00:00Z" : null,
            steps = new object[]
            {
                Step("Chánh Văn phòng", "Approved", "2026-11-19T03:00:00Z", [Decision("cvp@x.vn", "approve", Hostile, "2026-11-18T03:30:00Z")]),
                Step("Ban Thường vụ", decided ? "Approved" : "Overdue", "2026-11-20T03:00:00Z",
                    decided ? [Decision("bt@x.vn", "approve", null, "2026-11-20T04:00:00Z")] : []),
            },
        };

        private static object D3Approval() => new
        {
            approvalId = "a3", documentId = "d3", status = "Rejected", currentStep = (int?)null, route = "thuong-truc",
            createdTime = "2026-11-18T02:00:00Z", finishedTime = "2026-11-18T05:00:00Z",
            steps = new object[] { Step("Thường trực", "Rejected", "2026-11-19T03:00:00Z", [Decision("tt@x.vn", "reject", Hostile, "2026-11-18T05:00:00Z")]) },
        };

        private static object Step(string name, string status, string dueAt, object[] decisions) =>
            new { name, mode = "any", status, due = "P1D", approvers = new[] { "cvp@x.vn" }, dueAt, decisions };

        private static object Decision(string approver, string decision, string? comment, string at) => new { approver, decision, comment, at };

        private static string Serialize(object value) => JsonSerializer.Serialize(value);
    }
}
