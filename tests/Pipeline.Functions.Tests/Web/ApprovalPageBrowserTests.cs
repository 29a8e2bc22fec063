using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Pipeline.Functions.Tests.Approval;
using Pipeline.Functions.Tests.Documents;
using Pipeline.Functions.Tests.Mail;
using static Microsoft.Playwright.Assertions;

namespace Pipeline.Functions.Tests.Web;

/// <summary>
/// The approval an approver lives through: the mail comes over real SMTP (MailDev), its link opens in headless
/// Chromium, the page shows the document and the Đồng ý button decides. Nothing is posted by the test itself.
/// </summary>
public sealed class ApprovalPageBrowserTests(MailDevFixture maildev, ChromiumFixture chromium)
    : IClassFixture<MailDevFixture>, IClassFixture<ChromiumFixture>
{
    private const string ChiefOfStaff = "cvp@browser.vn";
    private const string Secretary = "bithu@browser.vn";

    // Processing the decision and sending the next mail runs in the durable workflow; a busy machine takes seconds.
    private static readonly TimeSpan MailTimeout = TimeSpan.FromSeconds(60);

    [CorpusFact]
    public async Task Approvers_open_their_mailed_links_in_a_browser_approve_in_turn_and_the_document_ends_Approved()
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

            // doc001 is not secret, so its number and symbol may be shown on the page.
            var id = (await client.DigitisedAsync("doc001"))[0];
            var code = (await client.GetDocumentAsync(id)).GetProperty("fields").GetProperty("code").GetProperty("value").GetString()!;
            var approvalId = await client.RequestApprovalAsync(id, """
                {"steps":[{"name":"Chánh Văn phòng","approvers":["cvp@browser.vn"],"mode":"any","due":"P2D"},
                          {"name":"Bí thư","approvers":["bithu@browser.vn"],"mode":"any","due":"P1D"}]}
                """);

            var firstLink = await LinkFromMailAsync(ChiefOfStaff, code);
            Assert.Empty(await maildev.MailsToAsync(Secretary)); // the second step waits for the first
            await ApproveInBrowserAsync(app, firstLink, code, "chuyển sang bước tiếp theo: “Bí thư”");

            // The approval moves on: step 1 done, and only now does the secretary get a mail.
            await client.WaitForApprovalAsync(approvalId, a => a.StepStatus(0) == "Approved");
            var secondLink = await LinkFromMailAsync(Secretary, code);
            Assert.NotEqual(firstLink, secondLink);
            await ApproveInBrowserAsync(app, secondLink, code, "văn bản đã được phê duyệt");

            await client.WaitForDocumentAsync(id, TimeSpan.FromSeconds(30), "Approved");
            var approval = await client.WaitForApprovalAsync(approvalId, a => a.GetProperty("status").GetString() == "Approved");
            Assert.Equal("Approved", approval.StepStatus(1));

            // A link decides once: opened again it says so (409) and shows the decision it carried, not a form.
            await using var again = await chromium.NewContextAsync(app.BaseAddress);
            var page = await again.NewPageAsync();
            var response = await page.GotoAsync(firstLink);
            Assert.Equal((int)HttpStatusCode.Conflict, response!.Status);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Liên kết đã được sử dụng" })).ToBeVisibleAsync();
            await Expect(page.Locator("main")).ToContainTextAsync("Ý kiến đã ghi nhận: Đồng ý");
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Đồng ý" })).ToHaveCountAsync(0);
        }
        finally
        {
            PipelineApp.DeleteDirectory(directory);
        }
    }

    /// <summary>In a fresh browser (each approver has their own): open the link, check the document, click Đồng ý, read the receipt.</summary>
    private async Task ApproveInBrowserAsync(PipelineApp app, string link, string code, string nextStep)
    {
        await using var context = await chromium.NewContextAsync(app.BaseAddress);
        var page = await context.NewPageAsync();
        var errors = PageErrors.Watch(page);

        var response = await page.GotoAsync(link);
        Assert.Equal((int)HttpStatusCode.OK, response!.Status);
        // The approver must see which document they decide on: its number and symbol, in the "Số, ký hiệu" row.
        await Expect(page.Locator("dt:text-is('Số, ký hiệu') + dd")).ToHaveTextAsync(code);

        await page.GetByRole(AriaRole.Button, new() { Name = "Đồng ý", Exact = true }).ClickAsync();

        var receipt = page.GetByRole(AriaRole.Status);
        await Expect(receipt).ToContainTextAsync("Đã ghi nhận ý kiến: Đồng ý", new() { Timeout = 30_000 });
        await Expect(receipt).ToContainTextAsync(code);
        await Expect(page.Locator("main")).ToContainTextAsync(nextStep);
        errors.AssertNone();
    }

    /// <summary>Waits for the one mail to <paramref name="address"/> in MailDev and returns the decision link from its text part.</summary>
    private async Task<string> LinkFromMailAsync(string address, string code)
    {
        var mail = await maildev.WaitForMailToAsync(address, timeout: MailTimeout);
        Assert.Contains(code, mail.GetProperty("subject").GetString());
        return ApprovalHttp.LinkIn(mail.GetProperty("text").GetString()!);
    }
}
