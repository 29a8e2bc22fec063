using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Pipeline.Functions.Tests.Approval;

/// <summary>
/// The process killed (SIGKILL) between a decision and the next step's mails, then restarted on the same data: the
/// decision stands and the next step's mails go out exactly once each — whether the kill came before any was written
/// or in the middle of writing them.
/// </summary>
[RunsLong(125)]
public sealed class ApprovalCrashTests
{
    private const int NextStepApprovers = 300;

    [CorpusFact]
    public Task Killed_right_after_the_decision_answers() => KilledAndRestartedAsync(mailsBeforeKill: 0);

    [CorpusFact]
    public Task Killed_while_the_next_step_s_mails_are_being_written() => KilledAndRestartedAsync(mailsBeforeKill: 20);

    private static async Task KilledAndRestartedAsync(int mailsBeforeKill)
    {
        var directory = PipelineApp.CreateWorkingDirectory(ApprovalHttp.WithoutReview);
        var data = Path.Combine(directory, "data");
        try
        {
            string approvalId, documentId;
            var app = await PipelineApp.StartAsync(directory);
            await using (app)
            {
                using var client = app.CreateClient();
                documentId = (await client.DigitisedAsync("doc004"))[0];
                var next = Enumerable.Range(1, NextStepApprovers).Select(i => $"\"n{i:000}@crash.vn\"");
                approvalId = await client.RequestApprovalAsync(documentId, $$"""
                    {"steps":[{"name":"Văn phòng","approvers":["vp@first.vn"],"mode":"any","due":"P2D"},
                              {"name":"Thường trực","approvers":[{{string.Join(",", next)}}],"mode":"any","due":"P2D"}]}
                    """);
                var first = await ApprovalHttp.WaitForOutboxAsync(data, m => m.To("vp@first.vn").Count == 1);
                using var decided = await client.DecideAsync(first.LinkFor("vp@first.vn"), "approve");
                Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
                if (mailsBeforeKill > 0) await ApprovalHttp.WaitForOutboxAsync(data, m => m.To("@crash.vn").Count >= mailsBeforeKill);
                await app.CrashAsync();
            }
            var writtenBeforeRestart = ApprovalHttp.Outbox(data).To("@crash.vn").Count;

            await using var restarted = await PipelineApp.StartAsync(directory);
            using var again = restarted.CreateClient();
            await ApprovalHttp.WaitForOutboxAsync(data, m => m.To("@crash.vn").Count >= NextStepApprovers, TimeSpan.FromSeconds(90));
            await again.WaitForApprovalAsync(approvalId, a => a.GetProperty("currentStep").ValueKind == JsonValueKind.Number && a.GetProperty("currentStep").GetInt32() == 1);
            // Once the orchestration waits on the second step, its opening (and anything that could send twice) is over.
            await again.WaitForStageAsync(approvalId, 1, "waiting", TimeSpan.FromSeconds(90));

            var mails = ApprovalHttp.Outbox(data).To("@crash.vn");
            Assert.True(mails.Count == NextStepApprovers, $"{mails.Count} mails for {NextStepApprovers} approvers ({writtenBeforeRestart} written before the kill)");
            Assert.Equal(NextStepApprovers, mails.Select(m => m.Header("To")).Distinct().Count());
            var approval = await again.GetApprovalAsync(approvalId);
            Assert.Equal(1, approval.DecisionCount(0));
            Assert.Equal("Approved", approval.StepStatus(0));
            var trail = await again.AuditAsync(documentId);
            Assert.Equal(NextStepApprovers + 1, trail.Count(e => e.GetProperty("action").GetString() == "approval-mail-sent"));
            Assert.Single(trail, e => e.GetProperty("action").GetString() == "approval-decision");
            Assert.True((await again.GetFromJsonAsync<JsonElement>("/api/audit/verify")).GetProperty("intact").GetBoolean());
        }
        finally
        {
            PipelineApp.DeleteDirectory(directory);
        }
    }
}
