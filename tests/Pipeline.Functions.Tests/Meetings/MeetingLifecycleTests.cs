using System.Net;
using System.Text.Json;
using Pipeline.Functions.Tests.Approval;
using Pipeline.Functions.Tests.Documents;

namespace Pipeline.Functions.Tests.Meetings;

/// <summary>
/// A meeting's whole life over HTTP against the real app: approved documents on an agenda (and the refusals when they
/// are not), publishing (pack built, every participant mailed a personal link), a change after publishing (new pack
/// version, notice, the old version kept and marked superseded), a written opinion through a participant's link, the
/// session (attendance, a named and a secret vote, conclusions), and the minutes filed in the archive.
/// </summary>
[RunsLong(130)]
public sealed class MeetingLifecycleTests : IAsyncLifetime
{
    private PipelineApp _app = null!;
    private HttpClient _client = null!;
    private HttpClient _browser = null!;

    public async Task InitializeAsync()
    {
        _app = await PipelineApp.StartAsync(PipelineApp.CreateWorkingDirectory(ApprovalHttp.WithoutReview));
        _client = _app.CreateClient();
        _browser = _app.CreateClient(withKey: false);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _browser.Dispose();
        var dir = _app.WorkingDirectory;
        await _app.DisposeAsync();
        PipelineApp.DeleteDirectory(dir);
    }

    [CorpusFact]
    public async Task From_approved_documents_to_minutes_in_the_archive()
    {
        var approved = await _client.ApprovedAsync(_browser, _app.DataDirectory, "doc001", "doc002", "doc000");
        var (plain1, plain2, secret) = (approved[0], approved[1], approved[2]);
        var notApproved = (await _client.DigitisedAsync("doc003"))[0];

        // Refused: a document not approved; a secret document on an item open to everyone.
        var refused = await _client.ExpectAsync(HttpMethod.Post, "/api/meetings", Meeting(notApproved, plain2, secret, restrictSecret: false), (HttpStatusCode)422);
        var errors = refused.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(errors, e => e.Contains(notApproved) && e.Contains("Digitised"));
        Assert.Contains(errors, e => e.Contains("secret document"));
        // Unless the secretary marks the item for information, with the reason.
        var forInformation = Meeting(notApproved, plain2, secret, restrictSecret: true).Replace("\"presenter\":\"Chánh Văn phòng\"", "\"presenter\":\"Chánh Văn phòng\",\"forInformation\":\"Dự thảo, để các đồng chí nắm\"");
        await _client.ExpectAsync(HttpMethod.Post, "/api/meetings", forInformation, HttpStatusCode.Created);

        var created = await _client.ExpectAsync(HttpMethod.Post, "/api/meetings", Meeting(plain1, plain2, secret, restrictSecret: true), HttpStatusCode.Created);
        var id = created.GetProperty("meetingId").GetString()!;
        Assert.Equal("Draft", created.GetProperty("status").GetString());
        var listed = (await _client.GetMeetingListAsync()).Single(m => m.GetProperty("meetingId").GetString() == id);
        Assert.Equal("Họp Thường trực Tỉnh ủy tháng 12", listed.GetProperty("title").GetString());

        await _client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/publish", "", HttpStatusCode.Accepted);
        var published = await _client.WaitForMeetingAsync(id, m => m.GetProperty("packVersion").GetInt32() == 1);
        Assert.Equal("Published", published.GetProperty("status").GetString());
        var mails = await ApprovalHttp.WaitForOutboxAsync(_app.DataDirectory, m => m.To("@hop.vn").Count == 3);
        var links = new[] { "a@hop.vn", "b@hop.vn", "c@hop.vn" }.ToDictionary(p => p, p => MeetingHttp.MeetingLinkIn(mails.To(p).Single().Text));
        Assert.Equal(3, links.Values.Distinct().Count());
        foreach (var mail in mails.To("@hop.vn")) Assert.DoesNotContain("Kế hoạch", mail.Text); // no document content in mail

        // The master pack: cover/agenda + 3 dividers + every document page, a bookmark per item.
        var pack = await _client.GetByteArrayAsync($"/api/meetings/{id}/pack");
        var documentPages = 0;
        foreach (var doc in approved) documentPages += (await _client.GetDocumentAsync(doc)).GetProperty("pages").GetInt32();
        var pages = int.Parse(MeetingHttp.Tool(pack, "qpdf", "--show-npages", "{}").Trim());
        Assert.InRange(pages - documentPages - 3, 1, 3); // the cover and agenda pages
        var outlines = MeetingHttp.Tool(pack, "qpdf", "--json", "--json-key=outlines", "{}");
        Assert.Contains("Tiếp nhận", outlines);
        Assert.Contains("Báo cáo mật", outlines);

        // Changed after publishing: version 2, a notice to everyone, version 1 kept and marked superseded.
        await _client.ExpectAsync(HttpMethod.Put, $"/api/meetings/{id}", Meeting(plain1, plain2, secret, restrictSecret: true, title: "Họp Thường trực (bổ sung)"), HttpStatusCode.OK);
        var changed = await _client.WaitForMeetingAsync(id, m => m.GetProperty("packVersion").GetInt32() == 2);
        Assert.True(changed.GetProperty("packs")[0].GetProperty("superseded").GetBoolean());
        Assert.False(changed.GetProperty("packs")[1].GetProperty("superseded").GetBoolean());
        await ApprovalHttp.WaitForOutboxAsync(_app.DataDirectory, m => m.To("@hop.vn").Count == 6);
        using (var old = await _client.GetAsync($"/api/meetings/{id}/pack?version=1")) Assert.Equal(HttpStatusCode.OK, old.StatusCode);

        // A written opinion on item 1, answered through b's link; the secretary sees the tally and who has not answered.
        await _client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/items/1/opinions",
            $$"""{"question":"Đồng ý thông qua kế hoạch?","deadline":"{{DateTime.UtcNow.AddDays(3):yyyy-MM-ddTHH:mm:ssZ}}"}""", HttpStatusCode.Created);
        await ApprovalHttp.WaitForOutboxAsync(_app.DataDirectory, m => m.To("@hop.vn").Count == 9);
        using (var answer = await _browser.PostAsync(links["b@hop.vn"] + "/opinions/1",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["answer"] = "agree", ["comment"] = "Nhất trí" })))
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var opinions = (await _client.GetMeetingAsync(id)).GetProperty("agenda")[0].GetProperty("opinions");
        Assert.Equal(1, opinions.GetProperty("tally").GetProperty("agree").GetInt32());
        Assert.Equal(["a@hop.vn", "c@hop.vn"], opinions.GetProperty("notAnswered").EnumerateArray().Select(e => e.GetString()));

        // The session: attendance, a named vote on item 1, a secret vote on item 2, conclusions.
        await _client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/start", "", HttpStatusCode.OK);
        await _client.ExpectAsync(HttpMethod.Put, $"/api/meetings/{id}/attendance", """{"present":["a@hop.vn","b@hop.vn"]}""", HttpStatusCode.OK);
        await _client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/items/1/vote", """{"secret":false}""", HttpStatusCode.OK);
        await _client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/items/1/votes", """{"participant":"a@hop.vn","choice":"yes"}""", HttpStatusCode.OK);
        await _client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/items/1/votes", """{"participant":"b@hop.vn","choice":"abstain"}""", HttpStatusCode.OK);
        await _client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/items/1/votes", """{"participant":"b@hop.vn","choice":"no"}""", HttpStatusCode.Conflict);
        await _client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/items/1/vote/close", "", HttpStatusCode.OK);
        await _client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/items/2/vote", """{"secret":true}""", HttpStatusCode.OK);
        await _client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/items/2/votes", """{"participant":"a@hop.vn","choice":"no"}""", HttpStatusCode.OK);
        await _client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/items/2/votes", """{"participant":"c@hop.vn","choice":"yes"}""", HttpStatusCode.OK);
        // Only the participants named on the secret item vote on it.
        await _client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/items/3/vote", """{"secret":false}""", HttpStatusCode.OK);
        await _client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/items/3/votes", """{"participant":"b@hop.vn","choice":"yes"}""", HttpStatusCode.NotFound);
        await _client.ExpectAsync(HttpMethod.Put, $"/api/meetings/{id}/items/1/conclusion", """{"text":"Thông qua kế hoạch tiếp nhận văn bản điện tử."}""", HttpStatusCode.OK);
        await _client.ExpectAsync(HttpMethod.Put, $"/api/meetings/{id}/items/2/conclusion", """{"text":"Giao Văn phòng hoàn thiện quyết định."}""", HttpStatusCode.OK);
        var session = await _client.GetMeetingAsync(id);
        var secretVote = session.GetProperty("agenda")[1].GetProperty("vote");
        Assert.Equal(1, secretVote.GetProperty("yes").GetInt32());
        Assert.Equal(JsonValueKind.Null, secretVote.GetProperty("votes").ValueKind); // who voted what is never served
        Assert.Equal(2, session.GetProperty("agenda")[0].GetProperty("vote").GetProperty("votes").GetArrayLength());
        Assert.Equal([1, 2, 3], session.GetProperty("votes").EnumerateArray().Select(v => v.GetProperty("item").GetInt32()));
        Assert.Equal(1, session.GetProperty("opinions")[0].GetProperty("item").GetInt32());

        await _client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/archive", "", HttpStatusCode.Conflict); // not concluded yet
        await _client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/conclude", "", HttpStatusCode.OK);
        await _client.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/archive", "", HttpStatusCode.Accepted);
        var archived = await _client.WaitForMeetingAsync(id, m => m.GetProperty("status").GetString() == "Archived");
        var minutesId = archived.GetProperty("minutesDocumentId").GetString()!;

        // The minutes: a document of the meeting's dossier, listing attendance, conclusions, the opinion tally and votes.
        var minutes = await _client.GetDocumentAsync(minutesId);
        Assert.Equal("HS-HOP-2026-12", minutes.GetProperty("dossier").GetString());
        var text = await _client.GetStringAsync($"/api/documents/{minutesId}/text");
        Assert.Contains("Thông qua kế hoạch tiếp nhận văn bản điện tử.", text);
        Assert.Contains("Giao Văn phòng hoàn thiện quyết định.", text);
        Assert.Contains("Nhất trí", text);
        Assert.Contains("Có mặt: 2/3", text);
        var dossier = JsonDocument.Parse(await _client.GetStringAsync("/api/dossiers/HS-HOP-2026-12")).RootElement;
        Assert.Contains(dossier.GetProperty("documents").EnumerateArray(), d => d.GetProperty("documentId").GetString() == minutesId);
        // Read-only from now on.
        await _client.ExpectAsync(HttpMethod.Put, $"/api/meetings/{id}/items/1/conclusion", """{"text":"x"}""", HttpStatusCode.Conflict);

        var trail = (await _client.MeetingAuditAsync(id)).Select(e => e.GetProperty("action").GetString()).ToList();
        foreach (var action in new[] { "meeting-created", "meeting-published", "pack-updated", "opinion-answered", "vote-cast", "conclusion-recorded", "meeting-archived" })
            Assert.Contains(action, trail);
    }

    private static string Meeting(string item1, string item2, string secret, bool restrictSecret, string title = "Họp Thường trực Tỉnh ủy tháng 12") => $$"""
        {"title":"{{title}}","startsAt":"2026-12-15T08:00:00+07:00","place":"Phòng họp số 1","chair":"Đồng chí Bí thư",
         "secretary":"thuky@hop.vn","dossier":"HS-HOP-2026-12",
         "participants":["a@hop.vn",{"email":"b@hop.vn","name":"Nguyễn Văn Bình"},"c@hop.vn"],
         "agenda":[{"title":"Tiếp nhận văn bản điện tử","presenter":"Chánh Văn phòng","documentIds":["{{item1}}"]},
                   {"title":"Quyết định kiện toàn","documentIds":["{{item2}}"]},
                   {"title":"Báo cáo mật","documentIds":["{{secret}}"]{{(restrictSecret ? ",\"participants\":[\"a@hop.vn\",\"c@hop.vn\"]" : "")}}}]}
        """;
}
