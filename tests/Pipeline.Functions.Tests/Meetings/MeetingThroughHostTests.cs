using System.Net;
using System.Text.Json;
using Pipeline.Functions.Tests.Approval;

namespace Pipeline.Functions.Tests.Meetings;

/// <summary>
/// A meeting with no documents (an item for information only) through the host on a clock file: plan fields with a line
/// break refused (M4), publish → pack and invitations, the participant page and its protections, a written opinion
/// answered and closed by its deadline timer, the session, the minutes, and links that stop once the meeting is archived.
/// Needs no corpus: nothing is digitised or approved.
/// </summary>
public sealed class MeetingThroughHostTests : IAsyncLifetime
{
    private AppSession _session = null!;
    private PipelineApp App => _session.App;
    private HttpClient Client => _session.Client;
    private HttpClient Browser => _session.Browser;

    public async Task InitializeAsync() => _session = await AppSession.StartAsync(clock: true,
        browser: address => new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = address });

    public async Task DisposeAsync() => await _session.DisposeAsync();

    [Fact]
    public async Task A_meeting_without_documents_from_plan_to_minutes_with_its_opinion_deadline_on_the_clock()
    {
        // A line break in a name or title is refused when the plan is read, not left to fail the mail for a day.
        var refused = await Client.ExpectAsync(HttpMethod.Post, "/api/meetings", Plan("""{"email":"b@th.vn","name":"Evil\r\nBcc: x@evil.vn"}"""), HttpStatusCode.BadRequest);
        Assert.Contains(refused.GetProperty("errors").EnumerateArray(), e => e.GetString()!.Contains("participants[1].name"));
        using (var unauthorised = await Browser.PostAsync("/api/meetings", new StringContent(Plan("\"b@th.vn\""))))
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorised.StatusCode);

        var id = (await Client.ExpectAsync(HttpMethod.Post, "/api/meetings", Plan("\"b@th.vn\""), HttpStatusCode.Created)).GetProperty("meetingId").GetString()!;
        var accepted = await Client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/publish", "", HttpStatusCode.Accepted);
        Assert.EndsWith($"/runtime/webhooks/durabletask/instances/meeting-{id}", accepted.GetProperty("statusQueryGetUri").GetString());
        await Client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/publish", "", HttpStatusCode.Conflict);
        await Client.WaitForMeetingAsync(id, m => m.GetProperty("packVersion").GetInt32() == 1);
        var invitations = await ApprovalHttp.WaitForOutboxAsync(App.DataDirectory, m => m.To("@th.vn").Count == 2);
        var links = new[] { "a@th.vn", "b@th.vn" }.ToDictionary(p => p, p => MeetingHttp.MeetingLinkIn(invitations.To(p).Single().Text));
        using (var pack = await Client.GetAsync($"/api/meetings/{id}/pack"))
        {
            Assert.Equal(HttpStatusCode.OK, pack.StatusCode);
            Assert.Equal("application/pdf", pack.Content.Headers.ContentType!.MediaType);
        }

        // The participant page: anonymous, uncacheable, under its CSP; a mangled token is refused.
        using (var page = await Browser.GetAsync(links["a@th.vn"]))
        {
            Assert.True(page.StatusCode == HttpStatusCode.OK, $"{(int)page.StatusCode}: {await page.Content.ReadAsStringAsync()}\n{App.Process.Output[^Math.Min(6000, App.Process.Output.Length)..]}");
            Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Contains("no-store", page.Headers.CacheControl!.ToString());
            Assert.Contains("Họp kiểm thử", await page.Content.ReadAsStringAsync());
        }
        using (var mangled = await Browser.GetAsync(links["a@th.vn"][..^3] + "xyz")) Assert.Equal(HttpStatusCode.BadRequest, mangled.StatusCode);

        // A written opinion; a answers once.
        await Client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/items/1/opinions", $$"""{"question":"Thông qua?","deadline":"{{App.UtcNow.AddDays(3).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}"}""", HttpStatusCode.Created);
        await ApprovalHttp.WaitForOutboxAsync(App.DataDirectory, m => m.Count(x => x.Header("Subject")!.StartsWith("Xin ý kiến bằng văn bản")) == 2);
        using (var answered = await Browser.PostAsync(links["a@th.vn"] + "/opinions/1", Form(("answer", "agree")))) Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        using (var again = await Browser.PostAsync(links["a@th.vn"] + "/opinions/1", Form(("answer", "disagree")))) Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        // The session and the minutes.
        await Client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/start", "", HttpStatusCode.OK);
        await Client.ExpectAsync(HttpMethod.Put, $"/api/meetings/{id}/attendance", """{"present":["a@th.vn"]}""", HttpStatusCode.OK);
        await Client.ExpectAsync(HttpMethod.Put, $"/api/meetings/{id}/items/1/conclusion", """{"text":"Đã nghe báo cáo."}""", HttpStatusCode.OK);
        await Client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/conclude", "", HttpStatusCode.OK);
        await Client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/archive", "", HttpStatusCode.Accepted);
        var archived = await Client.WaitForMeetingAsync(id, m => m.GetProperty("status").GetString() == "Archived");
        var minutes = archived.GetProperty("minutesDocumentId").GetString()!;
        Assert.Contains("Đã nghe báo cáo.", await Client.GetStringAsync($"/api/documents/{minutes}/text"));

        // Archived: the links serve nothing more, and the participants' copies are gone.
        using (var after = await Browser.GetAsync(links["a@th.vn"])) Assert.Equal(HttpStatusCode.Gone, after.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(App.DataDirectory, "meetings", id, "copies")));
        var trail = (await Client.MeetingAuditAsync(id)).Select(e => e.GetProperty("action").GetString()).ToList();
        foreach (var action in new[] { "meeting-created", "meeting-published", "opinion-answered", "meeting-archived" })
            Assert.Contains(action, trail);
    }

    [Fact]
    public async Task An_opinion_request_closes_at_its_deadline_on_the_moved_clock()
    {
        var id = (await Client.ExpectAsync(HttpMethod.Post, "/api/meetings", Plan("\"b@th.vn\""), HttpStatusCode.Created)).GetProperty("meetingId").GetString()!;
        await Client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/publish", "", HttpStatusCode.Accepted);
        await Client.WaitForMeetingAsync(id, m => m.GetProperty("packVersion").GetInt32() == 1);
        // A written opinion due in three days: a answers, the clock passes the deadline, the request closes and b is too late.
        var deadline = App.UtcNow.AddDays(3);
        await Client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/items/1/opinions", $$"""{"question":"Thông qua?","deadline":"{{deadline.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}"}""", HttpStatusCode.Created);
        var asked = await ApprovalHttp.WaitForOutboxAsync(App.DataDirectory, m => m.Count(x => x.Header("Subject")!.StartsWith("Xin ý kiến bằng văn bản")) == 2);
        var links = new[] { "a@th.vn", "b@th.vn" }.ToDictionary(p => p, p => MeetingHttp.MeetingLinkIn(asked.To(p).Last().Text));
        using (var answered = await Browser.PostAsync(links["a@th.vn"] + "/opinions/1", Form(("answer", "agree")))) Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        using (var again = await Browser.PostAsync(links["a@th.vn"] + "/opinions/1", Form(("answer", "disagree")))) Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        await App.SetClockAsync(deadline.AddSeconds(1));
        JsonElement closed;
        try { closed = await Client.WaitForMeetingAsync(id, m => m.GetProperty("agenda")[0].GetProperty("opinions").GetProperty("closed").GetBoolean()); }
        catch (TimeoutException e)
        {
            var status = await Client.GetStringAsync($"/runtime/webhooks/durabletask/instances/opinions-{id}-1?showHistory=true");
            throw new TimeoutException($"{e.Message}\n{status}\n{App.Process.Output[^Math.Min(5000, App.Process.Output.Length)..]}");
        }
        Assert.Equal(["b@th.vn"], closed.GetProperty("agenda")[0].GetProperty("opinions").GetProperty("notAnswered").EnumerateArray().Select(e => e.GetString()));
        using (var late = await Browser.PostAsync(links["b@th.vn"] + "/opinions/1", Form(("answer", "agree")))) Assert.Equal(HttpStatusCode.Gone, late.StatusCode);

    }

    private static string Plan(string secondParticipant) => $$"""
        {"title":"Họp kiểm thử","startsAt":"2026-12-15T08:00:00+07:00","place":"Phòng họp số 3",
         "participants":["a@th.vn",{{secondParticipant}}],
         "agenda":[{"title":"Báo cáo tình hình","documentIds":[],"forInformation":"Báo cáo miệng"}]}
        """;

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.ToDictionary(f => f.Name, f => f.Value));
}
