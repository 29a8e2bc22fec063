using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Pipeline.Functions.Tests.Approval;
using Pipeline.Functions.Tests.Mail;
using Pipeline.Functions.Tests.Meetings;
using static Microsoft.Playwright.Assertions;

namespace Pipeline.Functions.Tests.Web;

/// <summary>
/// A meeting end to end as its people live it: documents approved from mailed links, the meeting created and published
/// by the secretary's system, a participant opening the link from the mail (real SMTP, MailDev) in headless Chromium,
/// reading the pack and answering the opinion request; then the session over HTTP and the minutes that list it all.
/// </summary>
public sealed class MeetingBrowserTests(MailDevFixture maildev, ChromiumFixture chromium)
    : IClassFixture<MailDevFixture>, IClassFixture<ChromiumFixture>
{
    private const string Title = "Họp Thường trực kiểm thử trình duyệt";
    private const string Item1 = "Tiếp nhận văn bản điện tử";
    private const string Item2 = "Quyết định kiện toàn";
    private const string Comment = "Nhất trí, đề nghị triển khai từ quý I.";
    private const string Conclusion = "Thông qua kế hoạch tiếp nhận văn bản điện tử.";

    // The durable workflow sends the mails; a busy machine takes seconds.
    private static readonly TimeSpan MailTimeout = TimeSpan.FromSeconds(60);

    [CorpusFact]
    public async Task A_participant_reads_the_pack_and_answers_in_the_browser_and_the_minutes_list_it()
    {
        var directory = PipelineApp.CreateWorkingDirectory(ApprovalHttp.WithoutReview);
        try
        {
            await using var app = await PipelineApp.StartAsync(directory, new Dictionary<string, string?>
            {
                ["PIPELINE_SMTP__HOST"] = "127.0.0.1",
                ["PIPELINE_SMTP__PORT"] = maildev.SmtpPort.ToString(),
            });
            using var client = app.CreateClient();
            using var anonymous = app.CreateClient(withKey: false);

            var (doc1, doc2) = (await ApprovedAsync(client, anonymous, "doc001"), await ApprovedAsync(client, anonymous, "doc002"));
            var created = await client.ExpectAsync(HttpMethod.Post, "/api/meetings", $$"""
                {"title":"{{Title}}","startsAt":"2026-12-15T08:00:00+07:00","place":"Phòng họp số 1","chair":"Đồng chí Bí thư",
                 "secretary":"thuky@browser-hop.vn","dossier":"HS-HOP-BROWSER",
                 "participants":["a@browser-hop.vn",{"email":"b@browser-hop.vn","name":"Nguyễn Văn Bình"}],
                 "agenda":[{"title":"{{Item1}}","presenter":"Chánh Văn phòng","documentIds":["{{doc1}}"]},
                           {"title":"{{Item2}}","documentIds":["{{doc2}}"]}]}
                """, HttpStatusCode.Created);
            var id = created.GetProperty("meetingId").GetString()!;
            await client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/publish", "", HttpStatusCode.Accepted);
            await client.WaitForMeetingAsync(id, m => m.GetProperty("packVersion").GetInt32() == 1);
            await client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/items/1/opinions",
                $$"""{"question":"Đồng ý thông qua kế hoạch?","deadline":"{{DateTime.UtcNow.AddDays(3):yyyy-MM-ddTHH:mm:ssZ}}"}""", HttpStatusCode.Created);

            // b's two mails, the invitation and the opinion request, carry the same personal link.
            var invitation = await MailToAsync("b@browser-hop.vn", $"Mời họp: {Title}");
            var request = await MailToAsync("b@browser-hop.vn", $"Xin ý kiến bằng văn bản: {Title}");
            var link = MeetingHttp.MeetingLinkIn(request.GetProperty("text").GetString()!);
            Assert.Equal(MeetingHttp.MeetingLinkIn(invitation.GetProperty("text").GetString()!), link);

            await ReadAndAnswerInBrowserAsync(app, link);

            // The session, from the secretary's system.
            await client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/start", "", HttpStatusCode.OK);
            await client.ExpectAsync(HttpMethod.Put, $"/api/meetings/{id}/attendance", """{"present":["a@browser-hop.vn","b@browser-hop.vn"]}""", HttpStatusCode.OK);
            await client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/items/1/vote", """{"secret":false}""", HttpStatusCode.OK);
            await client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/items/1/votes", """{"participant":"a@browser-hop.vn","choice":"yes"}""", HttpStatusCode.OK);
            await client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/items/1/votes", """{"participant":"b@browser-hop.vn","choice":"abstain"}""", HttpStatusCode.OK);
            await client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/items/1/vote/close", "", HttpStatusCode.OK);
            await client.ExpectAsync(HttpMethod.Put, $"/api/meetings/{id}/items/1/conclusion", $$"""{"text":"{{Conclusion}}"}""", HttpStatusCode.OK);
            await client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/conclude", "", HttpStatusCode.OK);
            await client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/archive", "", HttpStatusCode.Accepted);
            var archived = await client.WaitForMeetingAsync(id, m => m.GetProperty("status").GetString() == "Archived");

            // The minutes: the conclusion, b's comment from the browser, the vote tally. Lines may wrap anywhere between words.
            var minutesId = archived.GetProperty("minutesDocumentId").GetString()!;
            var text = Regex.Replace(await client.GetStringAsync($"/api/documents/{minutesId}/text"), @"\s+", " ");
            Assert.Contains(Conclusion, text);
            Assert.Contains(Comment, text);
            Assert.Contains("Đồng ý: 1, Không đồng ý: 0, Ý kiến khác: 0, Chưa trả lời: 1.", text);
            Assert.Contains("Tán thành: 1, Không tán thành: 0, Không biểu quyết: 1", text);
        }
        finally
        {
            PipelineApp.DeleteDirectory(directory);
        }
    }

    /// <summary>In b's browser: the page from the mailed link, the pack, the opinion form and its receipt.</summary>
    private async Task ReadAndAnswerInBrowserAsync(PipelineApp app, string link)
    {
        await using var context = await chromium.NewContextAsync(app.BaseAddress);
        var page = await context.NewPageAsync();
        var errors = PageErrors.Watch(page);

        var response = await page.GotoAsync(link);
        Assert.Equal((int)HttpStatusCode.OK, response!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = Title, Level = 1 })).ToBeVisibleAsync();
        var agenda = page.Locator("section").Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Chương trình họp" }) });
        await Expect(agenda.GetByRole(AriaRole.Heading, new() { Name = $"Nội dung 1. {Item1}" })).ToBeVisibleAsync();
        await Expect(agenda.GetByRole(AriaRole.Heading, new() { Name = $"Nội dung 2. {Item2}" })).ToBeVisibleAsync();
        await Expect(agenda.GetByRole(AriaRole.Link)).ToHaveCountAsync(2); // a document link per item

        // The pack link opens a new tab; headless Chromium may show or download the PDF, so the response is what is checked.
        var packLink = page.GetByRole(AriaRole.Link, new() { Name = "Tài liệu họp — bản 1 (PDF)" });
        var packResponse = new TaskCompletionSource<IResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        context.Response += (_, r) => { if (new Uri(r.Url).AbsolutePath.EndsWith("/pack", StringComparison.Ordinal)) packResponse.TrySetResult(r); };
        await packLink.ClickAsync();
        var pack = await packResponse.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal((int)HttpStatusCode.OK, pack.Status);
        Assert.StartsWith("application/pdf", pack.Headers["content-type"]);
        // The bytes themselves, fetched from the same href (a download's body is not kept by the browser).
        var href = await packLink.GetAttributeAsync("href");
        var fetched = await context.APIRequest.GetAsync(href!);
        Assert.Equal((int)HttpStatusCode.OK, fetched.Status);
        Assert.Equal("%PDF", Encoding.ASCII.GetString(await fetched.BodyAsync(), 0, 4));

        await page.GetByLabel("Nội dung ý kiến").FillAsync(Comment);
        await page.GetByRole(AriaRole.Button, new() { Name = "Đồng ý", Exact = true }).ClickAsync();
        var receipt = page.GetByRole(AriaRole.Status);
        await Expect(receipt).ToContainTextAsync("Đã ghi nhận ý kiến: Đồng ý", new() { Timeout = 30_000 });
        await Expect(receipt).ToContainTextAsync(Comment);

        // Back on the page the form is gone and the answer shown.
        await page.GetByRole(AriaRole.Link, new() { Name = "Về trang cuộc họp" }).ClickAsync();
        await Expect(page.Locator("main")).ToContainTextAsync("Ý kiến của đồng chí: Đồng ý");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Đồng ý", Exact = true })).ToHaveCountAsync(0);
        errors.AssertNone();
    }

    /// <summary>Digitises a corpus document and approves it from the link mailed (over SMTP) to its one approver; returns its id.</summary>
    private async Task<string> ApprovedAsync(HttpClient client, HttpClient anonymous, string corpusDocument)
    {
        var id = (await client.DigitisedAsync(corpusDocument))[0];
        var approver = $"approver-{id}@vp.vn";
        var approvalId = await client.RequestApprovalAsync(id, $$"""{"steps":[{"name":"Chánh Văn phòng","approvers":["{{approver}}"],"mode":"any","due":"P2D"}]}""");
        var mail = await MailToAsync(approver, "");
        using var decided = await anonymous.DecideAsync(ApprovalHttp.LinkIn(mail.GetProperty("text").GetString()!), "approve");
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        await client.WaitForApprovalAsync(approvalId, a => a.GetProperty("status").GetString() == "Approved");
        return id;
    }

    private Task<JsonElement> MailToAsync(string address, string subject) => maildev.WaitForMailToAsync(address, subject, MailTimeout);
}
