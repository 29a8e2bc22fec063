using System.Net;
using Pipeline.Functions.Tests.Documents;

namespace Pipeline.Functions.Tests.Approval;

/// <summary>
/// The approval's timers on the office calendar, with the app run through the host on a clock file the test moves
/// (<see cref="PipelineApp.CreateClockFile"/>): the reminder at half the due time goes only to those who have not decided, the step is
/// escalated and marked overdue at its due time (and does not pass), and the approval expires when the links run out —
/// all counted in working days across a weekend and a public holiday (New Year's Day 2027, a Friday). The clock runs on
/// in real time from where it is set, so times are checked against when the step actually opened.
/// </summary>
public sealed class ApprovalTimerTests : IAsyncLifetime
{
    // Thursday 31 December 2026, 10:00 in Vietnam.
    private static readonly DateTime Start = At(2026, 12, 31, 10);

    private AppSession _session = null!;
    private PipelineApp App => _session.App;
    private HttpClient Client => _session.Client;
    private HttpClient Browser => _session.Browser;
    private string DataDirectory => _session.DataDirectory;

    public async Task InitializeAsync() => _session = await AppSession.StartAsync(ApprovalHttp.WithoutReview, clock: true);

    public async Task DisposeAsync() => await _session.DisposeAsync();

    [CorpusFact]
    public async Task Reminder_escalation_and_expiry_fire_on_working_time_across_a_weekend_and_a_holiday()
    {
        var id = (await Client.DigitisedAsync("doc001"))[0];
        await App.SetClockAsync(Start);
        var approvalId = await Client.RequestApprovalAsync(id, """
            {"steps":[{"name":"Lãnh đạo Văn phòng","approvers":["a@t.vn","b@t.vn"],"mode":"all","due":"P1D","escalation":"cvp@t.vn"}]}
            """);
        var mails = await ApprovalHttp.WaitForOutboxAsync(DataDirectory, m => m.To("@t.vn").Count == 2);

        // One working day from Thursday 10:00: Friday is New Year's Day, then the weekend, so Monday 10:00. Half of it
        // is 12 working hours: Thursday 22:00. The links live one more working day: Tuesday 10:00.
        // (The clock ran on for a moment before the step opened: every time is that much later.)
        var step = (await Client.GetApprovalAsync(approvalId)).GetProperty("steps")[0];
        var late = step.GetProperty("startedAt").GetDateTime() - Start;
        Assert.InRange(late, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        var remindAt = step.GetProperty("remindAt").GetDateTime();
        var dueAt = step.GetProperty("dueAt").GetDateTime();
        var expiresAt = step.GetProperty("expiresAt").GetDateTime();
        Assert.Equal(At(2027, 1, 4, 10) + late, dueAt);
        Assert.Equal(At(2026, 12, 31, 22) + late, remindAt);
        Assert.Equal(At(2027, 1, 5, 10) + late, expiresAt);
        Assert.Contains("04/01/2027", mails.To("a@t.vn")[0].Text);

        using (var decided = await Browser.DecideAsync(mails.LinkFor("a@t.vn"), "approve"))
            Assert.Equal(HttpStatusCode.OK, decided.StatusCode);

        // Not yet at half time: no reminder.
        await MoveToAsync(remindAt.AddHours(-1));
        Assert.Equal(2, ApprovalHttp.Outbox(DataDirectory).Count);
        // Past it: a reminder for b, who has not decided, and none for a, who has.
        await MoveToAsync(remindAt.AddSeconds(1));
        var reminded = await ApprovalHttp.WaitForOutboxAsync(DataDirectory, m => m.Count == 3);
        Assert.Equal(2, reminded.To("b@t.vn").Count);
        Assert.Single(reminded.To("a@t.vn"));
        Assert.Equal(ApprovalHttp.LinkFor(reminded, "b@t.vn"), ApprovalHttp.LinkIn(reminded.To("b@t.vn")[1].Text));

        // The holiday and the weekend pass without an escalation: they are not working time.
        await MoveToAsync(dueAt.AddHours(-11));
        Assert.Equal(3, ApprovalHttp.Outbox(DataDirectory).Count);
        Assert.Equal("Pending", (await Client.GetApprovalAsync(approvalId)).StepStatus(0));

        // Monday 10:00: overdue, the escalation contact is told who has not decided; the step does not pass.
        await MoveToAsync(dueAt.AddSeconds(1));
        var escalated = await ApprovalHttp.WaitForOutboxAsync(DataDirectory, m => m.To("cvp@t.vn").Count == 1);
        Assert.Contains("b@t.vn", escalated.To("cvp@t.vn")[0].Text);
        Assert.DoesNotContain("/approvals/", escalated.To("cvp@t.vn")[0].Text);
        var overdue = await Client.WaitForApprovalAsync(approvalId, a => a.StepStatus(0) == "Overdue");
        Assert.Equal("Pending", overdue.GetProperty("status").GetString());
        Assert.Equal("InApproval", (await Client.GetDocumentAsync(id)).GetProperty("status").GetString());
        using (var stillOpen = await Browser.GetAsync(ApprovalHttp.LinkFor(reminded, "b@t.vn")))
            Assert.Equal(HttpStatusCode.OK, stillOpen.StatusCode);

        // Tuesday 10:00: the links run out with no decision; the approval expires and the document is free again.
        await MoveToAsync(expiresAt.AddSeconds(1));
        var expired = await Client.WaitForApprovalAsync(approvalId, a => a.GetProperty("status").GetString() != "Pending");
        Assert.Equal("Expired", expired.GetProperty("status").GetString());
        Assert.Equal("Expired", expired.StepStatus(0));
        Assert.Equal("Digitised", (await Client.GetDocumentAsync(id)).GetProperty("status").GetString());
        using (var tooLate = await Browser.DecideAsync(ApprovalHttp.LinkFor(reminded, "b@t.vn"), "approve"))
            Assert.Equal(HttpStatusCode.Gone, tooLate.StatusCode);

        var trail = (await Client.AuditAsync(id)).Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("approval-reminder-sent", trail);
        Assert.Contains("approval-step-overdue", trail);
        Assert.Contains("approval-escalated", trail);
    }

    [CorpusFact]
    public async Task A_decision_after_the_escalation_still_counts_and_the_next_step_gets_its_own_working_time()
    {
        var id = (await Client.DigitisedAsync("doc002"))[0];
        await App.SetClockAsync(Start);
        var approvalId = await Client.RequestApprovalAsync(id, """
            {"steps":[{"name":"Phó Chánh Văn phòng","approvers":["p@u.vn"],"mode":"any","due":"PT8H"},
                      {"name":"Chánh Văn phòng","approvers":["c@u.vn"],"mode":"any","due":"P2D"}],"escalation":"tp@u.vn"}
            """);
        var mails = await ApprovalHttp.WaitForOutboxAsync(DataDirectory, m => m.To("p@u.vn").Count == 1);
        // Eight working hours from Thursday 10:00 is 18:00 the same day.
        var first = (await Client.GetApprovalAsync(approvalId)).GetProperty("steps")[0];
        var late = first.GetProperty("startedAt").GetDateTime() - Start;
        Assert.Equal(At(2026, 12, 31, 18) + late, first.GetProperty("dueAt").GetDateTime());
        await MoveToAsync(first.GetProperty("dueAt").GetDateTime().AddSeconds(1));
        await ApprovalHttp.WaitForOutboxAsync(DataDirectory, m => m.To("tp@u.vn").Count == 1);

        using (var decided = await Browser.DecideAsync(mails.LinkFor("p@u.vn"), "approve"))
            Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        await ApprovalHttp.WaitForOutboxAsync(DataDirectory, m => m.To("c@u.vn").Count == 1);
        var approval = await Client.WaitForApprovalAsync(approvalId, a => a.StepStatus(1) == "Pending");
        Assert.Equal("Approved", approval.StepStatus(0));
        // Two working days from when the step opened (Thursday just after 18:00): the rest of Thursday, no Friday (holiday)
        // or weekend, all of Monday, and Tuesday until the same time.
        var second = approval.GetProperty("steps")[1];
        var opened = second.GetProperty("startedAt").GetDateTime();
        Assert.InRange(opened - At(2026, 12, 31, 18), TimeSpan.Zero, TimeSpan.FromHours(1));
        Assert.Equal(At(2027, 1, 5, 18) + (opened - At(2026, 12, 31, 18)), second.GetProperty("dueAt").GetDateTime());
    }

    private Task MoveToAsync(DateTime utc) => App.SetClockAsync(new DateTimeOffset(utc, TimeSpan.Zero));

    private static DateTime At(int year, int month, int day, int hourInVietnam) =>
        new DateTimeOffset(year, month, day, hourInVietnam, 0, 0, TimeSpan.FromHours(7)).UtcDateTime;
}
