using Pipeline.Functions.Links;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Pipeline.Functions.Approval;
using Pipeline.Functions.Tests.Documents;
using Pipeline.Functions.Tests.Mail;

namespace Pipeline.Functions.Tests.Approval;

/// <summary>
/// One app for the link page tests, with one digitised scan (doc000, stamped TỐI MẬT) that each test sends for
/// approval along a two-step route and cancels at the end, so the document is approvable again for the next test.
/// The review threshold is 0 so the scan goes straight to Digitised.
/// </summary>
public sealed class ApprovalLinkPagesFixture : IAsyncLifetime
{
    /// <summary>The app.</summary>
    public PipelineApp App { get; private set; } = null!;

    /// <summary>A client with the admin key.</summary>
    public HttpClient Admin { get; private set; } = null!;

    /// <summary>A client with no key and no cookies, as an approver's browser.</summary>
    public HttpClient Browser { get; private set; } = null!;

    /// <summary>The digitised document.</summary>
    public string DocumentId { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await PipelineApp.StartAsync(PipelineApp.CreateWorkingDirectory(json => json.Replace("\"reviewThreshold\": 0.9", "\"reviewThreshold\": 0.0")));
        Admin = App.CreateClient();
        Browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = App.BaseAddress };
        var scan = DocumentsHttp.Corpus("vn-official", "doc000", "scan.pdf");
        DocumentId = (await Admin.UploadAcceptedAsync(null, scan))[0].GetProperty("documentId").GetString()!;
        var document = await Admin.WaitForDocumentAsync(DocumentId, TimeSpan.FromMinutes(4));
        Assert.Equal("Digitised", document.GetProperty("status").GetString());
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

/// <summary>The pages approvers reach from their mail, over HTTP against the real app.</summary>
public sealed partial class ApprovalLinkPagesTests(ApprovalLinkPagesFixture f) : IClassFixture<ApprovalLinkPagesFixture>, IAsyncLifetime
{
    private static readonly TimeSpan MailTimeout = TimeSpan.FromSeconds(60);
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];
    private string? _approvalId;

    public Task InitializeAsync() => Task.CompletedTask;

    // Cancelled whatever happened, so the next test can send the document again (cancel changes nothing once it ended).
    public async Task DisposeAsync()
    {
        if (_approvalId is null) return;
        using var _ = await f.Admin.PostAsync($"/api/approvals/{_approvalId}/cancel", null);
    }

    [CorpusFact]
    public async Task Opening_the_link_shows_the_document_and_changes_nothing()
    {
        var approver = Address("cvp");
        await StartAsync(Step("Chánh Văn phòng", "any", approver), Step("Bí thư", "any", Address("bt")));
        var link = await LinkForAsync(approver);
        var before = await ApprovalJsonAsync();

        using var page = await f.Browser.GetAsync(link);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("587-KH/TU", html);
        Assert.Contains("Kế hoạch", html);
        Assert.Contains("TỐI MẬT", html);
        Assert.Contains("bước 1/2", html);
        Assert.Contains(approver, html);
        Assert.Contains($"href=\"{link}/archive\"", html);
        foreach (var value in new[] { "approve", "reject", "return" }) Assert.Contains($"name=\"decision\" value=\"{value}\"", html);
        Assert.Contains("Trả lại để chỉnh sửa", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("587", TitleOf(html));
        AssertProtected(page);

        Assert.Equal(HttpStatusCode.OK, (await f.Browser.GetAsync(link)).StatusCode);
        Assert.Equal(before, await ApprovalJsonAsync());
        var viewed = (await AuditAsync()).Where(e => e.GetProperty("action").GetString() == "approval-link-viewed").ToList();
        Assert.Contains(viewed, e => e.GetProperty("actor").GetString() == approver);
    }

    [CorpusFact]
    public async Task A_link_decides_once()
    {
        var approver = Address("cvp");
        await StartAsync(Step("Chánh Văn phòng", "any", approver), Step("Bí thư", "any", Address("bt")));
        var link = await LinkForAsync(approver);

        using var first = await PostAsync(link, "approve", "Nhất trí ban hành.");
        var receipt = await first.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("Đã ghi nhận ý kiến: Đồng ý", receipt);
        Assert.Contains("Bí thư", receipt); // what happens next: the second step
        AssertProtected(first);

        using var second = await PostAsync(link, "reject", "Đổi ý.");
        var again = await second.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains("Đồng ý", again);

        var decisions = Decisions(await ApprovalJsonAsync(), 0);
        var decision = Assert.Single(decisions);
        Assert.Equal("approve", decision.GetProperty("decision").GetString());
        Assert.Equal("Nhất trí ban hành.", decision.GetProperty("comment").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await f.Browser.GetAsync(link)).StatusCode);
    }

    [CorpusFact]
    public async Task A_tampered_link_is_refused_and_changes_nothing()
    {
        var approver = Address("cvp");
        await StartAsync(Step("Chánh Văn phòng", "any", approver), Step("Bí thư", "any", Address("bt")));
        var link = await LinkForAsync(approver);
        var before = await ApprovalJsonAsync();
        var at = link.Length - 50; // inside the signed payload
        var tampered = link[..at] + (link[at] == 'A' ? 'B' : 'A') + link[(at + 1)..];

        using var get = await f.Browser.GetAsync(tampered);
        Assert.Equal(HttpStatusCode.BadRequest, get.StatusCode);
        Assert.Contains("Liên kết không hợp lệ", await get.Content.ReadAsStringAsync());
        AssertProtected(get);
        using var post = await PostAsync(tampered, "approve", null);
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        using var truncated = await f.Browser.GetAsync(link[..^10]);
        Assert.Equal(HttpStatusCode.BadRequest, truncated.StatusCode);
        using var unknownArchive = await f.Browser.GetAsync(tampered + "/archive");
        Assert.Equal(HttpStatusCode.BadRequest, unknownArchive.StatusCode);

        Assert.Equal(before, await ApprovalJsonAsync());
        Assert.Equal(HttpStatusCode.OK, (await f.Browser.GetAsync(link)).StatusCode);
    }

    [CorpusFact]
    public async Task Reject_without_a_reason_is_refused_and_records_nothing()
    {
        var approver = Address("cvp");
        await StartAsync(Step("Chánh Văn phòng", "any", approver), Step("Bí thư", "any", Address("bt")));
        var link = await LinkForAsync(approver);

        using var noReason = await PostAsync(link, "reject", "   ");
        var page = await noReason.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Contains("lý do", page);
        Assert.Contains("name=\"decision\" value=\"reject\"", page); // the form again, to give the reason
        using var unknown = await PostAsync(link, "maybe", "?");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        using var tooLong = await PostAsync(link, "approve", new string('ý', 2001));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Empty(Decisions(await ApprovalJsonAsync(), 0));

        using var withReason = await PostAsync(link, "reject", "Số liệu mục 2 chưa khớp <b>báo cáo</b>.");
        var receipt = await withReason.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, withReason.StatusCode);
        Assert.Contains("Đã ghi nhận ý kiến: Từ chối", receipt);
        Assert.Contains("&lt;b&gt;báo cáo&lt;/b&gt;", receipt);
        Assert.Equal("reject", Assert.Single(Decisions(await ApprovalJsonAsync(), 0)).GetProperty("decision").GetString());
    }

    [CorpusFact]
    public async Task A_decision_posted_from_another_site_is_refused()
    {
        var approver = Address("cvp");
        await StartAsync(Step("Chánh Văn phòng", "any", approver), Step("Bí thư", "any", Address("bt")));
        var link = await LinkForAsync(approver);

        using var foreign = await PostAsync(link, "approve", null, ("Origin", "https://evil.example"));
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        AssertProtected(foreign);
        using var crossSite = await PostAsync(link, "approve", null, ("Sec-Fetch-Site", "cross-site"));
        Assert.Equal(HttpStatusCode.Forbidden, crossSite.StatusCode);
        Assert.Empty(Decisions(await ApprovalJsonAsync(), 0));

        // What a browser sends for the page's own form: its origin, or "null" under Referrer-Policy: no-referrer.
        var origin = f.App.BaseAddress.GetLeftPart(UriPartial.Authority);
        using var own = await PostAsync(link, "approve", null, ("Origin", origin), ("Sec-Fetch-Site", "same-origin"));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Single(Decisions(await ApprovalJsonAsync(), 0));
    }

    [CorpusFact]
    public async Task When_one_approver_decides_the_other_approvers_link_ends()
    {
        var (first, second) = (Address("pcvp1"), Address("pcvp2"));
        await StartAsync(Step("Phó Chánh Văn phòng", "any", first, second), Step("Bí thư", "any", Address("bt")));
        var firstLink = await LinkForAsync(first);
        var secondLink = await LinkForAsync(second);

        using var decided = await PostAsync(firstLink, "approve", null);
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);

        using var ended = await f.Browser.GetAsync(secondLink);
        var page = await ended.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Gone, ended.StatusCode);
        // It says someone else in the step decided, not who or how (security review L8): whoever holds an old link
        // learns nothing about the other approvers.
        Assert.Contains("người khác trong bước đã cho ý kiến", page);
        Assert.DoesNotContain(first, page);
        Assert.DoesNotContain("Đồng ý", page);
        Assert.DoesNotContain("587-KH/TU", page);
        using var late = await PostAsync(secondLink, "return", "Sửa lại trích yếu.");
        Assert.Equal(HttpStatusCode.Gone, late.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await f.Browser.GetAsync(secondLink + "/archive")).StatusCode);
        Assert.Single(Decisions(await ApprovalJsonAsync(), 0));
    }

    [CorpusFact]
    public async Task The_archive_opens_through_the_link_and_every_read_is_audited()
    {
        var approver = Address("cvp");
        await StartAsync(Step("Chánh Văn phòng", "any", approver), Step("Bí thư", "any", Address("bt")));
        var link = await LinkForAsync(approver);

        using var pdf = await f.Browser.GetAsync(link + "/archive");
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("inline", pdf.Content.Headers.ContentDisposition?.ToString());
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString((await pdf.Content.ReadAsByteArrayAsync())[..4]));
        AssertProtected(pdf, page: false);

        var reads = (await AuditAsync()).Where(e => e.GetProperty("action").GetString() == "archive-read-by-link").ToList();
        var read = Assert.Single(reads, e => e.GetProperty("detail").GetString()!.Contains(_approvalId!));
        Assert.Equal(approver, read.GetProperty("actor").GetString());
        Assert.Contains("clientAddress", read.GetProperty("detail").GetString());
    }

    [CorpusFact]
    public async Task An_expired_link_says_when_it_expired()
    {
        var approver = Address("cvp");
        await StartAsync(Step("Chánh Văn phòng", "any", approver), Step("Bí thư", "any", Address("bt")));
        var link = await LinkForAsync(approver);
        // The same link signed with the app's key but an expiry in the past (the app's clock cannot be moved over HTTP).
        var links = new SignedLinks(LinkKey.LoadOrCreate(null, Path.Combine(f.App.DataDirectory, "approval.key")));
        var claims = links.Verify(link["/approvals/".Length..], DateTimeOffset.UtcNow).Claims!;
        var expiredAt = new DateTimeOffset(2025, 5, 20, 3, 30, 0, TimeSpan.Zero);
        var expired = "/approvals/" + links.Issue(claims with { ExpiresAt = expiredAt });

        using var page = await f.Browser.GetAsync(expired);
        Assert.Equal(HttpStatusCode.Gone, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("hết hạn", html);
        Assert.Contains("10:30 ngày 20/05/2025", html); // UTC+7
        using var post = await PostAsync(expired, "approve", null);
        Assert.Equal(HttpStatusCode.Gone, post.StatusCode);
        Assert.Empty(Decisions(await ApprovalJsonAsync(), 0));
    }

    [CorpusFact]
    public async Task A_flood_of_bad_links_is_limited_per_address_but_genuine_links_still_work()
    {
        var approver = Address("cvp");
        await StartAsync(Step("Chánh Văn phòng", "any", approver), Step("Bí thư", "any", Address("bt")));
        var link = await LinkForAsync(approver);
        // Another loopback address, so the flood does not spend the failure budget of the other tests (127.0.0.1).
        using var flooder = ClientFrom(f.App.BaseAddress, IPAddress.Parse("127.0.0.77"));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 25; i++)
        {
            using var response = await flooder.GetAsync($"/approvals/made-up-{i}");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal(TimeSpan.FromSeconds(60), response.Headers.RetryAfter?.Delta);
                Assert.Contains("Quá nhiều yêu cầu", await response.Content.ReadAsStringAsync());
            }
        }
        Assert.All(statuses.Take(20), s => Assert.Equal(HttpStatusCode.BadRequest, s));
        Assert.All(statuses.Skip(20), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));

        // The genuine link from the same address, and bad links from another address, are not held back.
        Assert.Equal(HttpStatusCode.OK, (await flooder.GetAsync(link)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await f.Browser.GetAsync("/approvals/made-up")).StatusCode);
        using var decided = await flooder.PostAsync(link, Form("approve", null));
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
    }

    private string Address(string who) => $"{who}.{_suffix}@tinhuy.thanhhoa.vn";

    private static object Step(string name, string mode, params string[] approvers) => new { name, approvers, mode, due = "P2D" };

    private async Task StartAsync(params object[] steps)
    {
        using var response = await f.Admin.PostAsJsonAsync($"/api/documents/{f.DocumentId}/approvals", new { steps });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"approval request answered {(int)response.StatusCode}: {body}");
        _approvalId = JsonDocument.Parse(body).RootElement.GetProperty("approvalId").GetString();
    }

    private async Task<string> ApprovalJsonAsync() => await f.Admin.GetStringAsync($"/api/approvals/{_approvalId}");

    private static List<JsonElement> Decisions(string approvalJson, int step) =>
        [.. JsonDocument.Parse(approvalJson).RootElement.GetProperty("steps")[step].GetProperty("decisions").EnumerateArray().Select(e => e.Clone())];

    private async Task<List<JsonElement>> AuditAsync() =>
        [.. JsonDocument.Parse(await f.Admin.GetStringAsync($"/api/documents/{f.DocumentId}/audit")).RootElement.EnumerateArray().Select(e => e.Clone())];

    // The link mailed to approver (its path), read from the outbox the way a person reads the mail.
    private async Task<string> LinkForAsync(string approver)
    {
        var outbox = Path.Combine(f.App.DataDirectory, "outbox");
        var deadline = DateTime.UtcNow + MailTimeout;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var file in Directory.Exists(outbox) ? Directory.GetFiles(outbox, "*.eml") : [])
            {
                EmlReader mail;
                try { mail = EmlReader.Read(await File.ReadAllBytesAsync(file)); }
                catch (Exception e) when (e is IOException or FormatException) { continue; } // still being written
                if (mail.Header("To")?.Contains(approver, StringComparison.OrdinalIgnoreCase) != true) continue;
                foreach (var line in mail.Text.Split('\n'))
                    if (LinkLine().Match(line.Trim()) is { Success: true } m) return m.Groups[1].Value;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"No approval mail to {approver} in {outbox} within {MailTimeout}.");
    }

    private Task<HttpResponseMessage> PostAsync(string link, string decision, string? comment, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, link) { Content = Form(decision, comment) };
        foreach (var (name, value) in headers) request.Headers.Add(name, value);
        return f.Browser.SendAsync(request);
    }

    private static FormUrlEncodedContent Form(string decision, string? comment) =>
        new(comment is null ? [new("decision", decision)] : [new("decision", decision), new("comment", comment)]);

    private static string TitleOf(string html) => Regex.Match(html, "<title>(.*?)</title>", RegexOptions.Singleline).Groups[1].Value;

    private static void AssertProtected(HttpResponseMessage response, bool page = true)
    {
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("noindex", response.Headers.GetValues("X-Robots-Tag").Single());
        if (!page) return;
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("script-src", csp);
    }

    // A client whose connections come from another loopback address, so the app sees another client address.
    private static HttpClient ClientFrom(Uri baseAddress, IPAddress local) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    }) { BaseAddress = baseAddress };

    [GeneratedRegex(@"^https?://[^/\s]+(/approvals/[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)$")]
    private static partial Regex LinkLine();
}
