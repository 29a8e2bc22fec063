using System.Net;
using System.Text.Json;
using Pipeline.Functions.Tests.Approval;

namespace Pipeline.Functions.Tests.Meetings;

/// <summary>
/// One app for the participant page tests: doc001 (520-QĐ/TU), doc002 and doc000 (587-KH/TU, TỐI MẬT) digitised and
/// approved; meeting 1 with doc001 on an open item and doc000 on an item restricted to a@m1.vn; meeting 2 with doc002.
/// Both are published, so every participant has a personal link in the outbox.
/// </summary>
public sealed class ParticipantPagesFixture : IAsyncLifetime
{
    /// <summary>The app.</summary>
    public PipelineApp App { get; private set; } = null!;

    /// <summary>A client with the admin key (the secretary's system).</summary>
    public HttpClient Admin { get; private set; } = null!;

    /// <summary>A client with no key and no cookies, as a participant's browser.</summary>
    public HttpClient Browser { get; private set; } = null!;

    /// <summary>doc001, on meeting 1's open item 1.</summary>
    public string Open { get; private set; } = null!;

    /// <summary>doc000 (TỐI MẬT), on meeting 1's item 2, restricted to a@m1.vn.</summary>
    public string Secret { get; private set; } = null!;

    /// <summary>doc002, on meeting 2 only.</summary>
    public string Other { get; private set; } = null!;

    /// <summary>Meeting 1 (doc001 open, doc000 restricted to a@m1.vn).</summary>
    public string Meeting1 { get; private set; } = null!;

    /// <summary>Meeting 2 (doc002).</summary>
    public string Meeting2 { get; private set; } = null!;

    /// <summary>Each participant's personal link, by address.</summary>
    public Dictionary<string, string> Links { get; } = new(StringComparer.OrdinalIgnoreCase);

    public async Task InitializeAsync()
    {
        App = await PipelineApp.StartAsync(PipelineApp.CreateWorkingDirectory(ApprovalHttp.WithoutReview));
        Admin = App.CreateClient();
        Browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = App.BaseAddress };
        var approved = await Admin.ApprovedAsync(Browser, App.DataDirectory, "doc001", "doc002", "doc000");
        (Open, Other, Secret) = (approved[0], approved[1], approved[2]);
        Meeting1 = await PublishAsync($$"""
            {"title":"Họp Thường trực tháng 12","startsAt":"2026-12-15T08:00:00+07:00","place":"Phòng họp số 1","chair":"Đồng chí Bí thư",
             "secretary":"thuky@m1.vn","participants":["a@m1.vn",{"email":"b@m1.vn","name":"Nguyễn Văn B"}],
             "agenda":[{"title":"Ứng dụng phần mềm quản lý văn bản","presenter":"Chánh Văn phòng","documentIds":["{{Open}}"]},
                       {"title":"Báo cáo mật về nhân sự","presenter":"Trưởng Ban Tổ chức","documentIds":["{{Secret}}"],"participants":["a@m1.vn"]}]}
            """, "@m1.vn", 2);
        Meeting2 = await PublishAsync($$"""
            {"title":"Họp giao ban","startsAt":"2026-12-16T14:00:00+07:00","place":"Phòng họp số 2","chair":"Đồng chí Phó Bí thư",
             "secretary":"thuky@m2.vn","participants":["a@m2.vn","b@m2.vn"],
             "agenda":[{"title":"Quyết định kiện toàn","documentIds":["{{Other}}"]}]}
            """, "@m2.vn", 2);
    }

    /// <summary>Creates and publishes a meeting, waits for its invitations and keeps each participant's link; returns its id.</summary>
    public async Task<string> PublishAsync(string json, string domain, int participants)
    {
        var id = (await Admin.ExpectAsync(HttpMethod.Post, "/api/meetings", json, HttpStatusCode.Created)).GetProperty("meetingId").GetString()!;
        await Admin.ExpectAsync(HttpMethod.Post, $"/api/meetings/{id}/publish", "", HttpStatusCode.Accepted);
        await Admin.WaitForMeetingAsync(id, m => m.GetProperty("packVersion").GetInt32() == 1);
        var mails = await ApprovalHttp.WaitForOutboxAsync(App.DataDirectory, m => m.To(domain).Count == participants, TimeSpan.FromSeconds(60));
        foreach (var mail in mails.To(domain))
        {
            var to = mail.Header("To")!;
            var address = to.Contains('<') ? to[(to.IndexOf('<') + 1)..to.IndexOf('>')] : to.Trim();
            Links[address] = MeetingHttp.MeetingLinkIn(mail.Text);
        }
        return id;
    }

    public async Task DisposeAsync()
    {
        Admin?.Dispose();
        Browser?.Dispose();
        var dir = App?.WorkingDirectory;
        if (App is not null) await App.DisposeAsync();
        if (dir is not null) PipelineApp.DeleteDirectory(dir);
    }
}

/// <summary>The pages participants reach from the link in the meeting mail, over HTTP against the real app.</summary>
public sealed class ParticipantPagesTests(ParticipantPagesFixture f) : IClassFixture<ParticipantPagesFixture>
{
    [CorpusFact]
    public async Task The_page_lists_only_what_the_participant_may_see()
    {
        var a = await PageAsync("a@m1.vn");
        var b = await PageAsync("b@m1.vn");

        foreach (var (html, who) in new[] { (a, "a@m1.vn"), (b, "b@m1.vn") })
        {
            Assert.Contains("<html lang=\"vi\">", html);
            Assert.Contains("Họp Thường trực tháng 12", html);
            Assert.Contains("08:00 ngày 15/12/2026 (giờ Việt Nam)", html);
            Assert.Contains("Phòng họp số 1", html);
            Assert.Contains("Ứng dụng phần mềm quản lý văn bản", html);
            Assert.Contains("Chánh Văn phòng", html);
            Assert.Contains("520-QĐ/TU", html);
            Assert.Contains($"href=\"{PathOf(f.Links[who])}/documents/{f.Open}\"", html);
            Assert.Contains($"href=\"{PathOf(f.Links[who])}/pack\"", html);
            Assert.DoesNotContain("<script", html);
        }
        Assert.Contains("Nguyễn Văn B", b);

        // The restricted item is on a's page and not even listed on b's.
        Assert.Contains("Báo cáo mật về nhân sự", a);
        Assert.Contains($"/documents/{f.Secret}", a);
        Assert.Contains("TỐI MẬT", a);
        foreach (var hidden in new[] { "Báo cáo mật về nhân sự", "Trưởng Ban Tổ chức", f.Secret, "587-KH/TU", "TỐI MẬT" }) Assert.DoesNotContain(hidden, b);
    }

    [CorpusFact]
    public async Task Opening_the_page_changes_nothing_and_is_audited()
    {
        var before = await f.Admin.GetStringAsync($"/api/meetings/{f.Meeting1}");
        using (var page = await f.Browser.GetAsync(f.Links["b@m1.vn"]))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            AssertProtected(page);
            Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
            Assert.DoesNotContain("Set-Cookie", page.Headers.Select(h => h.Key));
        }
        Assert.Equal(before, await f.Admin.GetStringAsync($"/api/meetings/{f.Meeting1}"));

        var viewed = await EntriesAsync(f.Meeting1, "meeting-page-viewed");
        Assert.Contains(viewed, e => e.GetProperty("actor").GetString() == "b@m1.vn" && Detail(e).Contains("clientAddress"));
    }

    [CorpusFact]
    public async Task A_secret_items_document_is_refused_to_a_participant_not_named_on_it()
    {
        using var response = await f.Browser.GetAsync($"{f.Links["b@m1.vn"]}/documents/{f.Secret}");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        AssertProtected(response);

        var refused = await EntriesAsync(f.Meeting1, "meeting-access-refused");
        Assert.Contains(refused, e => e.GetProperty("actor").GetString() == "b@m1.vn" && Detail(e).Contains(f.Secret) && Detail(e).Contains("restricted-item"));
        Assert.DoesNotContain(await f.Admin.AuditAsync(f.Secret), e => e.GetProperty("action").GetString() == "read-by-meeting-link");
    }

    [CorpusFact]
    public async Task A_document_not_on_this_meetings_agenda_is_not_found()
    {
        foreach (var asked in new[] { f.Other, "0123456789abcdef0123456789abcdef" })
        {
            using var response = await f.Browser.GetAsync($"{f.Links["b@m1.vn"]}/documents/{asked}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            AssertProtected(response);
            var refused = await EntriesAsync(f.Meeting1, "meeting-access-refused");
            Assert.Contains(refused, e => e.GetProperty("actor").GetString() == "b@m1.vn" && Detail(e).Contains(asked) && Detail(e).Contains("not-on-agenda"));
        }
        Assert.DoesNotContain(await f.Admin.AuditAsync(f.Other), e => e.GetProperty("action").GetString() == "read-by-meeting-link");
    }

    [CorpusFact]
    public async Task A_named_participant_opens_the_secret_document_and_both_trails_say_so()
    {
        using var response = await f.Browser.GetAsync($"{f.Links["a@m1.vn"]}/documents/{f.Secret}");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.StartsWith("inline", response.Content.Headers.ContentDisposition?.ToString());
        Assert.DoesNotContain("Accept-Ranges", response.Headers.Select(h => h.Key));
        AssertProtected(response);

        var reads = (await f.Admin.AuditAsync(f.Secret)).Where(e => e.GetProperty("action").GetString() == "read-by-meeting-link").ToList();
        Assert.Contains(reads, e => e.GetProperty("actor").GetString() == "a@m1.vn" && Detail(e).Contains(f.Meeting1));
        Assert.Contains(await EntriesAsync(f.Meeting1, "document-opened"), e => e.GetProperty("actor").GetString() == "a@m1.vn" && Detail(e).Contains(f.Secret));
    }

    [CorpusFact]
    public async Task The_pack_is_the_participants_own_copy()
    {
        using var response = await f.Browser.GetAsync($"{f.Links["b@m1.vn"]}/pack");
        var pack = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("tai-lieu-hop.pdf", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        AssertProtected(response);

        // The diagonal watermark comes out in content order with -raw, its words spaced irregularly: compare without spaces.
        var text = Squeezed(pack);
        Assert.Contains("NguyễnVănB—bản1", text);
        Assert.DoesNotContain("a@m1.vn", text);
        Assert.DoesNotContain("Báocáomật", text);

        var own = Squeezed(await f.Browser.GetByteArrayAsync($"{f.Links["a@m1.vn"]}/pack?version=1"));
        Assert.Contains("a@m1.vn—bản1", own);
        Assert.Contains("Báocáomật", own);
        Assert.DoesNotContain("NguyễnVănB", own);

        Assert.Contains(await EntriesAsync(f.Meeting1, "pack-opened"), e => e.GetProperty("actor").GetString() == "b@m1.vn" && Detail(e).Contains("\"version\":1"));
        using var missing = await f.Browser.GetAsync($"{f.Links["b@m1.vn"]}/pack?version=7");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [CorpusFact]
    public async Task An_opinion_is_answered_once()
    {
        await f.Admin.ExpectAsync(HttpMethod.Post, $"/api/meetings/{f.Meeting1}/items/1/opinions",
            $$"""{"question":"Đồng chí có đồng ý thông qua quy định?","deadline":"{{DateTime.UtcNow.AddDays(3):yyyy-MM-ddTHH:mm:ssZ}}"}""", HttpStatusCode.Created);
        var link = f.Links["b@m1.vn"];
        var page = await PageAsync("b@m1.vn");
        Assert.Contains("Đồng chí có đồng ý thông qua quy định?", page);
        Assert.Contains($"action=\"{PathOf(link)}/opinions/1\"", page);

        // "Other" needs the opinion written out; the page says so and keeps nothing recorded.
        using (var bad = await PostAsync($"{link}/opinions/1", ("answer", "other"), ("comment", " ")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("hãy ghi nội dung ý kiến", await bad.Content.ReadAsStringAsync());
        }
        using (var first = await PostAsync($"{link}/opinions/1", ("answer", "agree"), ("comment", "Nhất trí ban hành.")))
        {
            var receipt = await first.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Contains("Đã ghi nhận ý kiến: Đồng ý", receipt);
            AssertProtected(first);
        }
        using (var second = await PostAsync($"{link}/opinions/1", ("answer", "disagree"), ("comment", "")))
            Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);

        Assert.Contains("Ý kiến của đồng chí: <strong>Đồng ý</strong>", await PageAsync("b@m1.vn"));
        var answered = await EntriesAsync(f.Meeting1, "opinion-answered");
        var entry = Assert.Single(answered, e => e.GetProperty("actor").GetString() == "b@m1.vn");
        Assert.Contains("agree", Detail(entry));
        // Not an item a@… alone may see: b cannot even find the secret item to answer on.
        using var hidden = await PostAsync($"{link}/opinions/2", ("answer", "agree"));
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
    }

    [CorpusFact]
    public async Task A_secret_vote_is_cast_once_and_not_echoed()
    {
        await f.Admin.ExpectAsync(HttpMethod.Post, $"/api/meetings/{f.Meeting2}/start", "", HttpStatusCode.OK);
        await f.Admin.ExpectAsync(HttpMethod.Post, $"/api/meetings/{f.Meeting2}/items/1/vote", """{"secret":true}""", HttpStatusCode.OK);
        var link = f.Links["b@m2.vn"];
        Assert.Contains($"action=\"{PathOf(link)}/votes/1\"", await PageAsync("b@m2.vn"));

        using (var bad = await PostAsync($"{link}/votes/1", ("choice", "maybe")))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using (var first = await PostAsync($"{link}/votes/1", ("choice", "yes")))
        {
            var receipt = await first.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Contains("Đã ghi nhận biểu quyết", receipt);
            Assert.DoesNotContain("Tán thành", receipt);
        }
        using (var second = await PostAsync($"{link}/votes/1", ("choice", "no")))
        {
            Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
            Assert.DoesNotContain("Tán thành", await second.Content.ReadAsStringAsync());
        }
        var page = await PageAsync("b@m2.vn");
        Assert.Contains("Đồng chí đã biểu quyết", page);
        Assert.DoesNotContain("Tán thành", page);
        var vote = (await f.Admin.GetMeetingAsync(f.Meeting2)).GetProperty("agenda")[0].GetProperty("vote");
        Assert.Equal(1, vote.GetProperty("yes").GetInt32());
    }

    [CorpusFact]
    public async Task A_participant_taken_off_the_meeting_loses_the_link()
    {
        var plan = $$"""
            {"title":"Họp chuyên đề","startsAt":"2026-12-17T08:00:00+07:00","participants":["a@m3.vn"OTHERS],
             "agenda":[{"title":"Quyết định kiện toàn","documentIds":["{{f.Other}}"]}]}
            """;
        var id = await f.PublishAsync(plan.Replace("OTHERS", ",\"b@m3.vn\""), "@m3.vn", 2);
        Assert.Equal(HttpStatusCode.OK, (await f.Browser.GetAsync(f.Links["b@m3.vn"])).StatusCode);

        await f.Admin.ExpectAsync(HttpMethod.Put, $"/api/meetings/{id}", plan.Replace("OTHERS", ""), HttpStatusCode.OK);
        using var gone = await f.Browser.GetAsync(f.Links["b@m3.vn"]);
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Contains("không còn trong danh sách", await gone.Content.ReadAsStringAsync());
        using var pack = await f.Browser.GetAsync($"{f.Links["b@m3.vn"]}/pack?version=1");
        Assert.Equal(HttpStatusCode.Gone, pack.StatusCode);

        // The one left sees the new version, and the old one marked as replaced.
        await f.Admin.WaitForMeetingAsync(id, m => m.GetProperty("packVersion").GetInt32() == 2);
        var page = await PageAsync("a@m3.vn");
        Assert.Contains("bản 2", page);
        Assert.Contains($"href=\"{PathOf(f.Links["a@m3.vn"])}/pack?version=1\"", page);
        Assert.Contains("đã được thay thế", page);
    }

    [CorpusFact]
    public async Task A_tampered_link_is_refused_and_a_cross_site_post_too()
    {
        var link = f.Links["a@m1.vn"];
        var at = link.Length - 50; // inside the signed payload
        var tampered = link[..at] + (link[at] == 'A' ? 'B' : 'A') + link[(at + 1)..];
        foreach (var path in new[] { tampered, $"{tampered}/pack", $"{tampered}/documents/{f.Open}" })
        {
            using var response = await f.Browser.GetAsync(path);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("Liên kết không hợp lệ", await response.Content.ReadAsStringAsync());
            AssertProtected(response);
        }
        using (var post = await PostAsync($"{tampered}/opinions/1", ("answer", "agree")))
            Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);

        using var crossSite = new HttpRequestMessage(HttpMethod.Post, $"{link}/opinions/1")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["answer"] = "agree" }),
        };
        crossSite.Headers.Add("Origin", "https://evil.example");
        using var refused = await f.Browser.SendAsync(crossSite);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    private async Task<string> PageAsync(string participant)
    {
        using var response = await f.Browser.GetAsync(f.Links[participant]);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {participant}'s page answered {(int)response.StatusCode}: {html}");
        return html;
    }

    private Task<HttpResponseMessage> PostAsync(string url, params (string Name, string Value)[] fields)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields.Select(p => KeyValuePair.Create(p.Name, p.Value))) };
        request.Headers.UserAgent.ParseAdd("ParticipantPagesTests/1.0");
        return f.Browser.SendAsync(request);
    }

    private async Task<List<JsonElement>> EntriesAsync(string meetingId, string action) =>
        [.. (await f.Admin.MeetingAuditAsync(meetingId)).Where(e => e.GetProperty("action").GetString() == action)];

    private static string Detail(JsonElement entry) => entry.TryGetProperty("detail", out var d) ? d.ToString() : "";

    private static string Squeezed(byte[] pdf) =>
        string.Concat(MeetingHttp.Tool(pdf, "pdftotext", "-raw", "-enc", "UTF-8", "{}", "-").Where(c => !char.IsWhiteSpace(c)));

    private static string PathOf(string link) => new Uri(link).AbsolutePath;

    private static void AssertProtected(HttpResponseMessage response)
    {
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }
}
