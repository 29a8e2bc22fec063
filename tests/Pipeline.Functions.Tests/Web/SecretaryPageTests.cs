using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Pipeline.Functions.Tests.Approval;
using Pipeline.Functions.Tests.Meetings;
using static Microsoft.Playwright.Assertions;

namespace Pipeline.Functions.Tests.Web;

/// <summary>
/// The secretary's page <c>/secretary</c> in headless Chromium against the real app: a meeting created from an approved
/// document through the form, published, held and archived from the page, and the API's mistakes shown for a bad form.
/// </summary>
public sealed class SecretaryPageTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private const string Title = "Họp giao ban kiểm thử trang thư ký";
    private const string Conclusion = "Thống nhất triển khai kế hoạch từ quý I.";

    // The pack and the minutes are built by the durable workflow; a busy machine takes seconds.
    private static readonly LocatorAssertionsToHaveAttributeOptions Slow = new() { Timeout = 60_000 };

    [CorpusFact]
    public async Task A_secretary_creates_publishes_holds_and_archives_a_meeting_from_the_page()
    {
        var directory = PipelineApp.CreateWorkingDirectory(ApprovalHttp.WithoutReview);
        try
        {
            await using var app = await PipelineApp.StartAsync(directory);
            using var client = app.CreateClient();
            using var anonymous = app.CreateClient(withKey: false);
            var document = (await client.ApprovedAsync(anonymous, app.DataDirectory, "doc001"))[0];

            await using var context = await chromium.NewContextAsync(app.BaseAddress);
            var page = await context.NewPageAsync();
            var errors = PageErrors.Watch(page);
            await OpenWithKeyAsync(page, app);

            // The form: one item with the approved document, two participants (one with a name).
            await page.Locator("#m-title").FillAsync(Title);
            await page.Locator("#m-starts").FillAsync("2026-12-15T08:00");
            await page.Locator("#m-place").FillAsync("Phòng họp số 1");
            await page.Locator("#m-chair").FillAsync("Đồng chí Bí thư");
            await page.Locator("#m-secretary").FillAsync("thuky@trang-thuky.vn");
            await page.Locator("#m-participants").FillAsync("a@trang-thuky.vn\nNguyễn Văn Bình <b@trang-thuky.vn>");
            var row = page.Locator("#agenda-rows .agenda-row").First;
            await row.Locator(".agenda-title").FillAsync("Kế hoạch chuyển đổi số");
            await row.Locator(".agenda-presenter").FillAsync("Chánh Văn phòng");
            var choice = row.Locator($".doc-choices input[value=\"{document}\"]");
            await Expect(choice).ToBeAttachedAsync(new() { Timeout = 30_000 });
            await choice.CheckAsync();
            await page.ClickAsync("#create-button");

            // Listed, in Vietnam time, and opened as a Draft.
            var listed = page.Locator("#meeting-rows tr", new() { HasText = Title });
            await Expect(listed).ToHaveCountAsync(1, new() { Timeout = 30_000 });
            await Expect(listed.Locator(".time")).ToHaveTextAsync("15/12/2026 08:00");
            var id = await listed.GetAttributeAsync("data-meeting-id");
            Assert.False(string.IsNullOrEmpty(id));
            var meeting = await client.GetMeetingAsync(id!);
            Assert.Equal("Draft", meeting.GetProperty("status").GetString());
            Assert.Equal(new[] { document }, meeting.GetProperty("agenda")[0].GetProperty("documentIds").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal("Nguyễn Văn Bình", meeting.GetProperty("participants").EnumerateArray()
                .Single(p => p.GetProperty("email").GetString() == "b@trang-thuky.vn").GetProperty("name").GetString());
            var status = page.Locator("#detail-status");
            await Expect(status).ToHaveAttributeAsync("data-status", "Draft");

            // Published from the page: pack version 1 appears by polling.
            var next = page.Locator("#detail-next");
            await Expect(next).ToHaveAttributeAsync("data-action", "publish");
            await next.ClickAsync();
            await Expect(status).ToHaveAttributeAsync("data-status", "Published", Slow);
            await Expect(page.Locator("#packs li[data-pack-version=\"1\"]")).ToHaveAttributeAsync("data-superseded", "false", Slow);
            await Expect(listed.Locator(".pack")).ToHaveTextAsync("Bản 1", new() { Timeout = 30_000 });

            // In session: attendance and the conclusion.
            await Expect(next).ToHaveAttributeAsync("data-action", "start", Slow);
            await Expect(next).ToBeEnabledAsync(new() { Timeout = 60_000 });
            await next.ClickAsync();
            await Expect(status).ToHaveAttributeAsync("data-status", "InSession", Slow);
            await page.Locator("#attendance input[value=\"a@trang-thuky.vn\"]").CheckAsync();
            await page.ClickAsync("#attendance-save");
            await Expect(page.Locator("#attendance-state")).ToContainTextAsync("Đã lưu");
            await page.Locator("#conclusion-1").FillAsync(Conclusion);
            await page.Locator("li.item[data-item=\"1\"] .conclusion button[type=submit]").ClickAsync();
            await client.WaitForMeetingAsync(id!, m => m.GetProperty("agenda")[0].GetProperty("conclusion").GetString() == Conclusion, TimeSpan.FromSeconds(30));
            await Expect(page.Locator("#conclusion-1")).ToHaveValueAsync(Conclusion);

            // Concluded, archived: the minutes link appears.
            await Expect(next).ToHaveAttributeAsync("data-action", "conclude");
            await next.ClickAsync();
            await Expect(status).ToHaveAttributeAsync("data-status", "Concluded", Slow);
            await Expect(next).ToHaveAttributeAsync("data-action", "archive");
            await next.ClickAsync();
            await Expect(status).ToHaveAttributeAsync("data-status", "Archived", Slow);
            var minutes = page.Locator("#minutes-link");
            await Expect(minutes).ToBeVisibleAsync(new() { Timeout = 60_000 });
            var archived = await client.GetMeetingAsync(id!);
            var minutesId = archived.GetProperty("minutesDocumentId").GetString()!;
            await Expect(minutes).ToHaveAttributeAsync("href", $"/api/documents/{minutesId}/archive");
            Assert.Equal(["a@trang-thuky.vn"], archived.GetProperty("attendance").EnumerateArray().Select(e => e.GetString()!).ToArray());
            await Expect(next).ToBeHiddenAsync();
            errors.AssertNone();
        }
        finally
        {
            PipelineApp.DeleteDirectory(directory);
        }
    }

    [CorpusFact]
    public async Task A_form_with_a_bad_participant_address_shows_every_mistake_the_api_lists()
    {
        var directory = PipelineApp.CreateWorkingDirectory(ApprovalHttp.WithoutReview);
        try
        {
            await using var app = await PipelineApp.StartAsync(directory);
            using var client = app.CreateClient();
            const string body = """
                {"title":"Họp sai địa chỉ","startsAt":"2026-12-15T08:00:00+07:00","participants":["khong-phai-dia-chi"],
                 "agenda":[{"title":"Nội dung","documentIds":[]}]}
                """;
            using var response = await client.SendJsonAsync(HttpMethod.Post, "/api/meetings", body);
            Assert.NotEqual(HttpStatusCode.Created, response.StatusCode);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            var expected = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToArray();
            Assert.Contains(expected, e => e.Contains("khong-phai-dia-chi", StringComparison.Ordinal));

            await using var context = await chromium.NewContextAsync(app.BaseAddress);
            var page = await context.NewPageAsync();
            var errors = PageErrors.Watch(page);
            await OpenWithKeyAsync(page, app);
            await page.Locator("#m-title").FillAsync("Họp sai địa chỉ");
            await page.Locator("#m-starts").FillAsync("2026-12-15T08:00");
            await page.Locator("#m-participants").FillAsync("khong-phai-dia-chi");
            await page.Locator("#agenda-rows .agenda-title").First.FillAsync("Nội dung");
            await page.ClickAsync("#create-button");

            var shown = page.Locator("#create-problem");
            await Expect(shown.Locator(".problem-title")).ToHaveTextAsync(problem.GetProperty("title").GetString()!, new() { Timeout = 30_000 });
            await Expect(shown.Locator(".problem-errors li")).ToHaveTextAsync(expected);
            await Expect(page.Locator("#m-participants")).ToHaveValueAsync("khong-phai-dia-chi");
            Assert.Empty(await client.GetMeetingListAsync());
            errors.AssertNone();
        }
        finally
        {
            PipelineApp.DeleteDirectory(directory);
        }
    }

    private static async Task OpenWithKeyAsync(IPage page, PipelineApp app)
    {
        await page.GotoAsync("/secretary");
        await page.GetByLabel("Khóa API").FillAsync(app.ReadAdminKey());
        await page.ClickAsync("#key-save");
        await Expect(page.Locator("#list-summary")).Not.ToBeEmptyAsync(new() { Timeout = 30_000 });
    }
}
