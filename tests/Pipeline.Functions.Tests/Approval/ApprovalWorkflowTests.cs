using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Functions.Tests.Documents;

namespace Pipeline.Functions.Tests.Approval;

/// <summary>
/// Approvals end to end against the real app over HTTP, mails read from the outbox and decided through their links,
/// as approvers do: steps in order, any/all, reject/return/resubmit, cancel, secrecy in mail, named routes with roles,
/// 100 approvers deciding at once, and what a mail scanner's GETs must not change.
/// </summary>
[RunsLong(325)]
public sealed class ApprovalWorkflowTests(ApprovalWorkflowTests.Approvals fixture) : IClassFixture<ApprovalWorkflowTests.Approvals>
{
    private PipelineApp App => fixture.App;
    private HttpClient Client => fixture.Client;
    private HttpClient Browser => fixture.Anonymous;

    /// <summary>
    /// The app the tests share, review off: each test approves documents of its own (the next corpus scan, never one
    /// another test uploaded) and mails approvers of its own domain, so none sees another's approvals or mails.
    /// </summary>
    public sealed class Approvals : PipelineAppFixture
    {
        private int _lastDocument;

        /// <summary>The next corpus document no test has used: doc001 onwards (doc000 is the Tối mật one).</summary>
        public string NextDocument() => $"doc{Interlocked.Increment(ref _lastDocument):000}";

        /// <inheritdoc/>
        protected override string EditHostJson(string hostJson) => ApprovalHttp.WithoutReview(hostJson);
    }

    // A fresh Digitised, non-secret document.
    private async Task<string> DocumentAsync() => (await Client.DigitisedAsync(fixture.NextDocument()))[0];

    private IReadOnlyList<Mail.EmlReader> Outbox => ApprovalHttp.Outbox(App.DataDirectory);

    [CorpusFact]
    public async Task Two_steps_in_order_mails_carry_the_document_and_one_link_and_the_last_approval_approves_the_document()
    {
        var id = await DocumentAsync();
        var document = await Client.GetDocumentAsync(id);
        var code = document.GetProperty("fields").GetProperty("code").GetProperty("value").GetString()!;
        var approvalId = await Client.RequestApprovalAsync(id, """
            {"steps":[{"name":"Chánh Văn phòng","approvers":["cvp@tinhuy.vn"],"mode":"any","due":"P2D"},
                      {"name":"Bí thư","approvers":["bithu@tinhuy.vn"],"mode":"any","due":"P1D"}]}
            """);
        Assert.Equal("InApproval", (await Client.GetDocumentAsync(id)).GetProperty("status").GetString());

        var first = (await ApprovalHttp.WaitForOutboxAsync(App.DataDirectory, m => m.To("cvp@tinhuy.vn").Count == 1)).To("cvp@tinhuy.vn")[0];
        Assert.Contains(code, first.Header("Subject"));
        Assert.Contains(code, first.Text);
        Assert.Contains("Hạn", first.Text);
        Assert.Single(first.Text.Split('\n'), l => l.Contains("/approvals/"));
        Assert.Empty(Outbox.To("bithu@tinhuy.vn")); // the second step has not started

        var approval = await Client.GetApprovalAsync(approvalId);
        Assert.Equal("Pending", approval.GetProperty("status").GetString());
        Assert.Equal(0, approval.GetProperty("currentStep").GetInt32());

        using (var decided = await Browser.DecideAsync(ApprovalHttp.LinkIn(first.Text), "approve", "Đồng ý trình", "Mozilla/5.0 (Tester)"))
            Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        var second = await ApprovalHttp.WaitForOutboxAsync(App.DataDirectory, m => m.To("bithu@tinhuy.vn").Count == 1);
        approval = await Client.WaitForApprovalAsync(approvalId, a => a.GetProperty("currentStep").ValueKind == JsonValueKind.Number && a.GetProperty("currentStep").GetInt32() == 1);
        Assert.Equal("Approved", approval.StepStatus(0));

        using (var decided = await Browser.DecideAsync(second.LinkFor("bithu@tinhuy.vn"), "approve"))
            Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        approval = await Client.WaitForApprovalAsync(approvalId, a => a.GetProperty("status").GetString() != "Pending");
        Assert.Equal("Approved", approval.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, approval.GetProperty("currentStep").ValueKind);
        Assert.Equal("Approved", (await Client.GetDocumentAsync(id)).GetProperty("status").GetString());

        // The trail: request, both mails, both decisions with the approver, address and browser, the outcome.
        var trail = await Client.AuditAsync(id);
        var decisions = trail.Where(e => e.GetProperty("action").GetString() == "approval-decision").ToList();
        Assert.Equal(["cvp@tinhuy.vn", "bithu@tinhuy.vn"], decisions.Select(e => e.GetProperty("actor").GetString()));
        Assert.Contains("127.0.0.1", decisions[0].GetProperty("detail").GetString());
        Assert.Contains("Mozilla/5.0 (Tester)", decisions[0].GetProperty("detail").GetString());
        Assert.Contains("Đồng ý trình", decisions[0].GetProperty("detail").GetString());
        Assert.Equal(2, trail.Count(e => e.GetProperty("action").GetString() == "approval-mail-sent"));
        Assert.Contains(trail, e => e.GetProperty("action").GetString() == "approval-requested");
        Assert.Equal("approval-finished", trail.Last().GetProperty("action").GetString());

        // Approved is final: no second approval.
        using var again = await Client.PostApprovalAsync(id, """{"steps":[{"name":"x","approvers":["a@x.vn"],"mode":"any","due":"P1D"}]}""");
        Assert.Equal("document-not-approvable", (await DocumentsHttp.ProblemAsync(again, HttpStatusCode.Conflict)).GetProperty("code").GetString());
    }

    [CorpusFact]
    public async Task A_mail_scanner_fetching_every_link_changes_nothing()
    {
        var id = await DocumentAsync();
        var approvalId = await Client.RequestApprovalAsync(id, """{"steps":[{"name":"Lãnh đạo","approvers":["a@scan.vn","b@scan.vn","c@scan.vn"],"mode":"any","due":"P2D"}]}""");
        var mails = await ApprovalHttp.WaitForOutboxAsync(App.DataDirectory, m => m.To("@scan.vn").Count == 3);
        var before = (await Client.GetApprovalAsync(approvalId)).ToString();

        foreach (var link in mails.To("@scan.vn").Select(m => ApprovalHttp.LinkIn(m.Text)))
        {
            for (var i = 0; i < 3; i++)
            {
                using var page = await Browser.GetAsync(link);
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                using var head = await Browser.SendAsync(new HttpRequestMessage(HttpMethod.Head, link));
            }
        }

        Assert.Equal(before, (await Client.GetApprovalAsync(approvalId)).ToString());
        Assert.Equal("InApproval", (await Client.GetDocumentAsync(id)).GetProperty("status").GetString());
        // Every link still decides after being fetched.
        using var decided = await Browser.DecideAsync(mails.LinkFor("b@scan.vn"), "approve");
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        await Client.WaitForApprovalAsync(approvalId, a => a.GetProperty("status").GetString() == "Approved");
    }

    [CorpusFact]
    public async Task A_hundred_approvers_deciding_at_once_on_an_all_step_give_a_hundred_decisions_and_one_advance()
    {
        var id = await DocumentAsync();
        var approvers = Enumerable.Range(1, 100).Select(i => $"\"uv{i:000}@bch.vn\"");
        var approvalId = await Client.RequestApprovalAsync(id, $$"""
            {"steps":[{"name":"Ban Chấp hành","approvers":[{{string.Join(",", approvers)}}],"mode":"all","due":"P3D"},
                      {"name":"Bí thư","approvers":["bithu@bch.vn"],"mode":"any","due":"P1D"}]}
            """);
        var mails = await ApprovalHttp.WaitForOutboxAsync(App.DataDirectory, m => m.To("@bch.vn").Count == 100, TimeSpan.FromSeconds(60));
        var links = mails.To("@bch.vn").Select(m => ApprovalHttp.LinkIn(m.Text)).ToList();

        // Every link at once, and the first one five times more: a double click, a retry.
        var posts = links.Select(link => Browser.DecideAsync(link, "approve")).Concat(Enumerable.Range(0, 5).Select(_ => Browser.DecideAsync(links[0], "approve"))).ToList();
        var answers = await Task.WhenAll(posts);
        Assert.Equal(100, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.Equal(5, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        foreach (var answer in answers) answer.Dispose();

        var approval = await Client.WaitForApprovalAsync(approvalId, a => a.GetProperty("currentStep").ValueKind == JsonValueKind.Number && a.GetProperty("currentStep").GetInt32() == 1);
        Assert.Equal(100, approval.DecisionCount(0));
        Assert.Equal(100, approval.GetProperty("steps")[0].GetProperty("decisions").EnumerateArray().Select(d => d.GetProperty("approver").GetString()).Distinct().Count());
        Assert.Equal("Approved", approval.StepStatus(0));
        await ApprovalHttp.WaitForOutboxAsync(App.DataDirectory, m => m.To("bithu@bch.vn").Count == 1);
        // Once the orchestration waits on the second step, its opening (and any mail it could repeat) is over.
        await Client.WaitForStageAsync(approvalId, 1, "waiting");
        Assert.Single(Outbox.To("bithu@bch.vn"));
        var trail = await Client.AuditAsync(id);
        Assert.Single(trail, e => e.GetProperty("action").GetString() == "approval-step-ended");
        Assert.Equal(2, trail.Count(e => e.GetProperty("action").GetString() == "approval-step-opened"));
    }

    [CorpusFact]
    public async Task Reject_needs_a_reason_return_sends_the_document_back_and_a_corrected_resubmission_starts_afresh_with_the_old_links_dead()
    {
        var id = await DocumentAsync();
        var route = """{"steps":[{"name":"Lãnh đạo","approvers":["ld@vp.vn","pho@vp.vn"],"mode":"all","due":"P2D"}]}""";
        var firstId = await Client.RequestApprovalAsync(id, route);
        var mails = await ApprovalHttp.WaitForOutboxAsync(App.DataDirectory, m => m.To("@vp.vn").Count == 2);
        var oldLink = mails.LinkFor("pho@vp.vn");

        using (var noReason = await Browser.DecideAsync(mails.LinkFor("ld@vp.vn"), "reject", " "))
            Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal(0, (await Client.GetApprovalAsync(firstId)).DecisionCount(0));

        using (var returned = await Browser.DecideAsync(mails.LinkFor("ld@vp.vn"), "return", "Sửa lại trích yếu"))
            Assert.Equal(HttpStatusCode.OK, returned.StatusCode);
        var first = await Client.WaitForApprovalAsync(firstId, a => a.GetProperty("status").GetString() != "Pending");
        Assert.Equal("Returned", first.GetProperty("status").GetString());
        Assert.Equal("Returned", (await Client.GetDocumentAsync(id)).GetProperty("status").GetString());
        using (var late = await Browser.DecideAsync(oldLink, "approve"))
            Assert.Equal(HttpStatusCode.Gone, late.StatusCode);

        // The clerk corrects the summary and sends it again: a new approval, new links; the old ones stay dead.
        using (var corrected = await Client.PatchAsync($"/api/documents/{id}/fields", JsonContent.Create(new { summary = "về việc sửa đổi trích yếu" })))
            Assert.Equal(HttpStatusCode.OK, corrected.StatusCode);
        var secondId = await Client.RequestApprovalAsync(id, route);
        Assert.NotEqual(firstId, secondId);
        var fresh = await ApprovalHttp.WaitForOutboxAsync(App.DataDirectory, m => m.To("@vp.vn").Count == 4);
        var newLink = ApprovalHttp.LinkIn(fresh.To("pho@vp.vn").Last().Text);
        Assert.NotEqual(oldLink, newLink);
        Assert.Contains("sửa đổi trích yếu", fresh.To("pho@vp.vn").Last().Text);
        using (var stale = await Browser.DecideAsync(oldLink, "approve"))
            Assert.Equal(HttpStatusCode.Gone, stale.StatusCode);

        using (var rejected = await Browser.DecideAsync(newLink, "reject", "Không phù hợp"))
            Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        var second = await Client.WaitForApprovalAsync(secondId, a => a.GetProperty("status").GetString() != "Pending");
        Assert.Equal("Rejected", second.GetProperty("status").GetString());
        Assert.Equal("Không phù hợp", second.GetProperty("steps")[0].GetProperty("decisions")[0].GetProperty("comment").GetString());
        Assert.Equal("Rejected", (await Client.GetDocumentAsync(id)).GetProperty("status").GetString());
    }

    [CorpusFact]
    public async Task Cancelling_ends_the_approval_kills_its_links_and_gives_the_document_back()
    {
        var id = await DocumentAsync();
        var approvalId = await Client.RequestApprovalAsync(id, """{"steps":[{"name":"Lãnh đạo","approvers":["huy@cancel.vn"],"mode":"any","due":"P2D"}]}""");
        var mails = await ApprovalHttp.WaitForOutboxAsync(App.DataDirectory, m => m.To("huy@cancel.vn").Count == 1);

        using (var pending = await Client.PostApprovalAsync(id, """{"steps":[{"name":"x","approvers":["a@x.vn"],"mode":"any","due":"P1D"}]}"""))
            Assert.Equal("approval-pending", (await DocumentsHttp.ProblemAsync(pending, HttpStatusCode.Conflict)).GetProperty("code").GetString());

        using (var cancel = await Client.PostAsJsonAsync($"/api/approvals/{approvalId}/cancel", new { reason = "Rút lại để bổ sung" }))
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var approval = await Client.GetApprovalAsync(approvalId);
        Assert.Equal("Cancelled", approval.GetProperty("status").GetString());
        Assert.Equal("Cancelled", approval.StepStatus(0));
        Assert.Equal("Digitised", (await Client.GetDocumentAsync(id)).GetProperty("status").GetString());
        using (var dead = await Browser.DecideAsync(mails.LinkFor("huy@cancel.vn"), "approve"))
            Assert.Equal(HttpStatusCode.Gone, dead.StatusCode);
        using (var twice = await Client.PostAsync($"/api/approvals/{approvalId}/cancel", null))
            Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        var instance = await Client.GetFromJsonAsync<JsonElement>($"/runtime/webhooks/durabletask/instances/{approval.GetProperty("instanceId").GetString()}");
        for (var i = 0; i < 100 && instance.GetProperty("runtimeStatus").GetString() != "Completed"; i++)
        {
            await Task.Delay(100);
            instance = await Client.GetFromJsonAsync<JsonElement>($"/runtime/webhooks/durabletask/instances/{approval.GetProperty("instanceId").GetString()}");
        }
        Assert.Equal("Completed", instance.GetProperty("runtimeStatus").GetString());
    }

    [CorpusFact]
    public async Task A_secret_document_s_mail_says_nothing_about_it()
    {
        var id = (await Client.DigitisedAsync("doc000"))[0]; // stamped TỐI MẬT
        var document = await Client.GetDocumentAsync(id);
        Assert.Equal("toi-mat", document.GetProperty("secrecy").GetString());
        var fields = document.GetProperty("fields");
        await Client.RequestApprovalAsync(id, """{"steps":[{"name":"Bí thư","approvers":["bt@mat.vn"],"mode":"any","due":"P1D"}]}""");
        var mail = (await ApprovalHttp.WaitForOutboxAsync(App.DataDirectory, m => m.To("bt@mat.vn").Count == 1)).To("bt@mat.vn")[0];

        var everything = string.Join("\n", mail.RawHeaders.Select(h => h.Value)) + mail.Text + mail.Html;
        foreach (var name in new[] { "code", "type", "summary", "issuer" })
        {
            var value = fields.GetProperty(name).GetProperty("value").GetString()!;
            Assert.DoesNotContain(value.Split('\n')[0], everything, StringComparison.OrdinalIgnoreCase);
        }
        Assert.DoesNotContain("MẬT", everything, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("/approvals/", mail.Text);
    }

    [CorpusFact]
    public async Task A_named_route_with_a_role_mails_the_people_who_hold_it_and_bad_requests_are_named()
    {
        using (var members = await Client.PutAsJsonAsync("/api/offices/vp-tinh-uy/roles/approver", new { members = new[] { "pcvp1@tu.vn", "pcvp2@tu.vn" } }))
            Assert.Equal(HttpStatusCode.OK, members.StatusCode);
        using (var put = await Client.PutAsync("/api/approval-routes/van-ban-di", new StringContent(
            """{"steps":[{"name":"Phó Chánh Văn phòng","approvers":["role:approver@vp-tinh-uy"],"mode":"any","due":"P1D"}],"escalation":"cvp@tu.vn"}""",
            System.Text.Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var id = await DocumentAsync();
        using (var unknown = await Client.PostApprovalAsync(id, """{"route":"khong-co"}"""))
            Assert.Contains("van-ban-di", (await DocumentsHttp.ProblemAsync(unknown, HttpStatusCode.BadRequest)).GetProperty("detail").GetString());
        using (var broken = await Client.PostApprovalAsync(id, """{"steps":[{"name":"x","approvers":["not-an-address"],"mode":"most","due":"P1W"}]}"""))
        {
            var problem = await DocumentsHttp.ProblemAsync(broken, HttpStatusCode.BadRequest);
            Assert.Equal(3, problem.GetProperty("errors").GetArrayLength());
        }
        using (var nobody = await Client.PostApprovalAsync(id, """{"steps":[{"name":"x","approvers":["role:secretary@vp-tinh-uy"],"mode":"any","due":"P1D"}]}"""))
            Assert.Equal("role-empty", (await DocumentsHttp.ProblemAsync(nobody, (HttpStatusCode)422)).GetProperty("code").GetString());
        using (var missing = await Client.PostApprovalAsync("no-such-document", """{"route":"van-ban-di"}"""))
            await DocumentsHttp.ProblemAsync(missing, HttpStatusCode.NotFound);
        Assert.Equal("Digitised", (await Client.GetDocumentAsync(id)).GetProperty("status").GetString());

        var approvalId = await Client.RequestApprovalAsync(id, """{"route":"van-ban-di"}""");
        var mails = await ApprovalHttp.WaitForOutboxAsync(App.DataDirectory, m => m.To("@tu.vn").Count == 2);
        Assert.Single(mails.To("pcvp1@tu.vn"));
        Assert.Single(mails.To("pcvp2@tu.vn"));
        var approval = await Client.GetApprovalAsync(approvalId);
        Assert.Equal("van-ban-di", approval.GetProperty("route").GetString());
        Assert.Equal("cvp@tu.vn", approval.GetProperty("steps")[0].GetProperty("escalation").GetString());
    }
}
