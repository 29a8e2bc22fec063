using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Tests.Documents;

namespace Pipeline.Functions.Tests.Approval;

/// <summary>
/// An approval is decided by its approvers and nobody else (issue 11): a key holder who raises <c>StepDecided</c>
/// events or starts <c>ApprovalWorkflow</c> himself approves nothing, and a malformed event does not leave the document
/// stuck in approval. The host refuses such management calls for internal workflows; here <c>ApprovalWorkflow</c> is
/// declared public in host.json, so the calls reach the orchestration and the workflow must hold on its own, by
/// checking every start and every event against the approval store.
/// </summary>
public sealed class ApprovalSecurityTests(ApprovalSecurityTests.PublicApprovalWorkflow fixture) : IClassFixture<ApprovalSecurityTests.PublicApprovalWorkflow>
{
    private const string Instances = "/runtime/webhooks/durabletask/instances";

    private PipelineApp App => fixture.App;
    private HttpClient Client => fixture.Client;
    private HttpClient Browser => fixture.Anonymous;

    /// <summary>
    /// The app both tests share, review off and ApprovalWorkflow public: each test seeds its own document and mails
    /// approvers of its own domain, so neither sees the other's approvals or mails.
    /// </summary>
    public sealed class PublicApprovalWorkflow : PipelineAppFixture
    {
        /// <inheritdoc/>
        protected override string EditHostJson(string hostJson) => WithPublicApprovalWorkflow(ApprovalHttp.WithoutReview(hostJson));
    }

    [Fact]
    public async Task Forged_and_malformed_StepDecided_events_approve_nothing_and_the_approver_still_decides()
    {
        var id = await SeedDigitisedAsync();
        var approvalId = await Client.RequestApprovalAsync(id, """
            {"steps":[{"name":"Bí thư","approvers":["bithu@an.vn","pbt@an.vn"],"mode":"any","due":"P2D"}]}
            """);
        var mails = await ApprovalHttp.WaitForOutboxAsync(App.DataDirectory, m => m.To("@an.vn").Count == 2);
        var instanceId = "approval-" + approvalId;

        // What the security review sent (outcome 3 = Approved), the same with a name and an approver of the step, and
        // events of every wrong shape, including ones the old workflow failed on.
        string?[] forged =
        [
            """{"step":0,"outcome":3}""",
            """{"step":0,"outcome":"Approved","approver":"bithu@an.vn"}""",
            """{"outcome":"Approved"}""",
            """{"step":"0","outcome":{"x":1}}""",
            """{"step":7,"outcome":"Approved","approver":"bithu@an.vn"}""",
            "\"Approved\"",
            "[0,3]",
            "null",
            null,
        ];
        foreach (var body in forged)
        {
            using var raised = await Client.PostAsync($"{Instances}/{instanceId}/raiseEvent/StepDecided",
                body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.True(raised.StatusCode == HttpStatusCode.Accepted, $"raiseEvent {body}: {(int)raised.StatusCode} {await raised.Content.ReadAsStringAsync()}");
        }

        // Each one is checked against the store, ignored and audited.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        IReadOnlyList<JsonElement> trail;
        while ((trail = await Client.AuditAsync(id)).Count(e => Action(e) == "approval-event-ignored") < forged.Length)
        {
            if (DateTime.UtcNow > deadline)
            {
                var status = await Client.GetStringAsync($"{Instances}/{instanceId}?showHistory=true");
                Assert.Fail("Not every forged event was audited as ignored: " + string.Join("\n", trail.Select(e => e.GetRawText())) + "\n" + status);
            }
            await Task.Delay(100);
        }
        var approval = await Client.GetApprovalAsync(approvalId);
        Assert.Equal("Pending", approval.GetProperty("status").GetString());
        Assert.Equal("Pending", approval.StepStatus(0));
        Assert.Equal(0, approval.DecisionCount(0));
        Assert.Equal("InApproval", (await Client.GetDocumentAsync(id)).GetProperty("status").GetString());
        Assert.DoesNotContain(trail, e => Action(e) is "approval-finished" or "approval-step-ended");
        var running = await Client.GetFromJsonAsync<JsonElement>($"{Instances}/{instanceId}");
        Assert.Equal("Running", running.GetProperty("runtimeStatus").GetString());

        // Not stuck: the approver's own decision still ends it, as the store records it.
        using (var decided = await Browser.DecideAsync(mails.LinkFor("pbt@an.vn"), "approve"))
            Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        var finished = await Client.WaitForApprovalAsync(approvalId, a => a.GetProperty("status").GetString() != "Pending");
        Assert.Equal("Approved", finished.GetProperty("status").GetString());
        Assert.Equal("pbt@an.vn", finished.GetProperty("steps")[0].GetProperty("decisions")[0].GetProperty("approver").GetString());
        Assert.Equal("Approved", (await Client.GetDocumentAsync(id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Starting_ApprovalWorkflow_by_hand_with_no_steps_or_as_another_instance_finishes_nothing()
    {
        var id = await SeedDigitisedAsync();
        var approvalId = await Client.RequestApprovalAsync(id, """
            {"steps":[{"name":"Chánh Văn phòng","approvers":["cvp@bt.vn"],"mode":"any","due":"P2D"}]}
            """);
        await ApprovalHttp.WaitForOutboxAsync(App.DataDirectory, m => m.To("cvp@bt.vn").Count == 1);

        (string InstanceId, string? Input)[] starts =
        [
            ("forged-zero-" + approvalId[..8], $$"""{"approvalId":"{{approvalId}}","stepCount":0}"""),
            ("forged-one-" + approvalId[..8], $$"""{"approvalId":"{{approvalId}}","stepCount":1}"""),
            ("forged-shape-" + approvalId[..8], """{"approvalId":42}"""),
            ("forged-list-" + approvalId[..8], "[]"),
            ("forged-none-" + approvalId[..8], null),
        ];
        foreach (var (instanceId, input) in starts)
        {
            using var response = await Client.StartAsync("ApprovalWorkflow", input, instanceId);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"start {input}: {(int)response.StatusCode} {body}");
            var started = DurableHttp.Parse(body);
            var status = await Client.WaitForFinishAsync(started.GetProperty("statusQueryGetUri").GetString()!, TimeSpan.FromSeconds(60));
            Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
            Assert.Equal("Refused", status.GetProperty("output").GetString());
        }

        var approval = await Client.GetApprovalAsync(approvalId);
        Assert.Equal("Pending", approval.GetProperty("status").GetString());
        Assert.Equal("Pending", approval.StepStatus(0));
        Assert.Equal("InApproval", (await Client.GetDocumentAsync(id)).GetProperty("status").GetString());
        var trail = await Client.AuditAsync(id);
        // The two that named the approval are on its document's trail.
        Assert.Equal(2, trail.Count(e => Action(e) == "approval-start-refused"));
        Assert.DoesNotContain(trail, e => Action(e) == "approval-finished");
        // Only the approval's own instance mailed anyone.
        Assert.Single(ApprovalHttp.Outbox(App.DataDirectory).To("cvp@bt.vn"));
    }

    // A Digitised document written straight into the app's catalog: what these tests need is an approvable document,
    // not OCR.
    private async Task<string> SeedDigitisedAsync()
    {
        var id = Guid.NewGuid().ToString("N");
        var database = new CatalogDatabase(Path.Combine(App.DataDirectory, "documents.db"));
        var catalog = new DocumentCatalog(database, new AuditLog(database, TimeProvider.System), TimeProvider.System);
        await catalog.InsertAsync([(new DocumentRecord
        {
            Id = id, Office = "vp-tinh-uy", FileName = "cong-van.pdf", Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(id))),
            ContentType = "application/pdf", SizeBytes = 10, Languages = "vie+eng", InstanceId = $"digitise-{id}", Status = DocumentStatus.Digitised,
            CreatedTime = DateTime.UtcNow, LastUpdatedTime = DateTime.UtcNow,
        }, new AuditEntry("uploaded", "test"))]);
        return id;
    }

    private static string? Action(JsonElement entry) => entry.GetProperty("action").GetString();

    /// <summary>host.json with ApprovalWorkflow among the public orchestrations of the management API.</summary>
    public static string WithPublicApprovalWorkflow(string hostJson)
    {
        var root = JsonNode.Parse(hostJson, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
        var durable = root["extensions"]!["durableTask"]!.AsObject();
        if (durable["managementApi"] is not JsonObject management) durable["managementApi"] = management = new JsonObject();
        var names = management["publicOrchestrations"] as JsonArray ?? new JsonArray("diagnostics-chain", "diagnostics-fanout");
        names.Add("ApprovalWorkflow");
        management["publicOrchestrations"] = names.DeepClone();
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
