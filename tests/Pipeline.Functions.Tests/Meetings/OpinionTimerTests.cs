using System.Net;
using Pipeline.Functions.Tests.Approval;

namespace Pipeline.Functions.Tests.Meetings;

/// <summary>
/// Written opinions on the clock: the request goes to everyone who may see the item, a reminder a day before the
/// deadline goes only to those who have not answered, and at the deadline the request closes (a late answer is
/// refused, and the meeting shows who never answered) — the app through the host, on a clock file the test moves
/// (the host's durable timers and the app's times both follow it).
/// </summary>
public sealed class OpinionTimerTests : IAsyncLifetime
{
    private static readonly DateTime Start = new(2026, 12, 1, 1, 0, 0, DateTimeKind.Utc); // Tuesday 08:00 in Vietnam
    private AppSession _session = null!;
    private PipelineApp App => _session.App;
    private HttpClient Client => _session.Client;
    private HttpClient Browser => _session.Browser;

    public async Task InitializeAsync() => _session = await AppSession.StartAsync(ApprovalHttp.WithoutReview, clockStart: new DateTimeOffset(Start));

    public async Task DisposeAsync() => await _session.DisposeAsync();

    [CorpusFact]
    public async Task The_reminder_goes_a_day_before_the_deadline_to_those_who_have_not_answered_and_the_deadline_closes_the_request()
    {
        var client = Client;
        var documentId = (await client.ApprovedAsync(Browser, App.DataDirectory, "doc005"))[0];
        var created = await client.ExpectAsync(HttpMethod.Post, "/api/meetings", $$"""
            {"title":"Họp giao ban","startsAt":"2026-12-10T08:00:00+07:00","participants":["x@gb.vn","y@gb.vn","z@gb.vn"],
             "agenda":[{"title":"Báo cáo tháng 11","documentIds":["{{documentId}}"]}]}
            """, HttpStatusCode.Created);
        var id = created.GetProperty("meetingId").GetString()!;
        await client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/publish", "", HttpStatusCode.Accepted);
        await client.WaitForMeetingAsync(id, m => m.GetProperty("packVersion").GetInt32() == 1);

        var deadline = Start.AddDays(4); // Saturday 08:00 in Vietnam
        await client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/items/1/opinions", $$"""{"question":"Thông qua báo cáo?","deadline":"{{deadline:yyyy-MM-ddTHH:mm:ssZ}}"}""", HttpStatusCode.Created);
        var asked = await ApprovalHttp.WaitForOutboxAsync(App.DataDirectory, m => m.Count(x => x.Header("Subject")!.StartsWith("Xin ý kiến bằng văn bản")) == 3);
        var links = new[] { "x@gb.vn", "y@gb.vn", "z@gb.vn" }.ToDictionary(p => p, p => MeetingHttp.MeetingLinkIn(asked.To(p).Last().Text));
        using (var answered = await Browser.PostAsync(links["x@gb.vn"] + "/opinions/1", new FormUrlEncodedContent(new Dictionary<string, string> { ["answer"] = "agree" })))
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);

        // Two days before: no reminder yet.
        await App.SetClockAsync(new DateTimeOffset(deadline.AddDays(-2)));
        Assert.DoesNotContain(ApprovalHttp.Outbox(App.DataDirectory), m => m.Header("Subject")!.StartsWith("Nhắc: Xin ý kiến bằng văn bản"));
        // A day before: y and z are reminded, x (who answered) is not.
        await App.SetClockAsync(new DateTimeOffset(deadline.AddDays(-1).AddSeconds(1)));
        var reminded = await ApprovalHttp.WaitForOutboxAsync(App.DataDirectory, m => m.Count(x => x.Header("Subject")!.StartsWith("Nhắc: Xin ý kiến bằng văn bản")) == 2);
        Assert.Equal(["y@gb.vn", "z@gb.vn"], reminded.Where(m => m.Header("Subject")!.StartsWith("Nhắc: Xin ý kiến bằng văn bản")).Select(m => m.Header("To")!).Order());

        // y answers in time; after the deadline z cannot, and the request is closed with z as not answered.
        using (var inTime = await Browser.PostAsync(links["y@gb.vn"] + "/opinions/1", new FormUrlEncodedContent(new Dictionary<string, string> { ["answer"] = "other", ["comment"] = "Bổ sung số liệu quý IV" })))
            Assert.Equal(HttpStatusCode.OK, inTime.StatusCode);
        await App.SetClockAsync(new DateTimeOffset(deadline.AddSeconds(1)));
        var meeting = await client.WaitForMeetingAsync(id, m => m.GetProperty("agenda")[0].GetProperty("opinions").GetProperty("closed").GetBoolean());
        var opinions = meeting.GetProperty("agenda")[0].GetProperty("opinions");
        Assert.Equal(1, opinions.GetProperty("tally").GetProperty("agree").GetInt32());
        Assert.Equal(1, opinions.GetProperty("tally").GetProperty("other").GetInt32());
        Assert.Equal(["z@gb.vn"], opinions.GetProperty("notAnswered").EnumerateArray().Select(e => e.GetString()));
        using (var late = await Browser.PostAsync(links["z@gb.vn"] + "/opinions/1", new FormUrlEncodedContent(new Dictionary<string, string> { ["answer"] = "agree" })))
            Assert.Equal(HttpStatusCode.Gone, late.StatusCode);
        Assert.Contains("opinions-closed", (await client.MeetingAuditAsync(id)).Select(e => e.GetProperty("action").GetString()));
    }
}
