using Pipeline.Durable;
using Pipeline.Durable.Storage;

namespace Pipeline.Functions.Approval;

/// <summary>
/// Records a decision made through a link and, when it ends the step, tells the approval's orchestration. The store
/// decides (one transaction); the event only wakes the orchestration, and <see cref="ApprovalRecovery"/> raises it
/// again after a restart should the process die between the two.
/// </summary>
public sealed class ApprovalDecisions(ApprovalStore store, DurableTaskClient client)
{
    /// <summary>Records the decision; see <see cref="ApprovalStore.DecideAsync"/>.</summary>
    public async Task<DecisionOutcome> DecideAsync(ApprovalLinkClaims link, ApprovalDecision decision, string? comment, string clientAddress, string? userAgent,
        CancellationToken ct = default)
    {
        var outcome = await store.DecideAsync(link, decision, comment, clientAddress, userAgent, ct);
        if (outcome is { Result: DecisionResult.Recorded, StepOutcome: { } ended, Approval: { } approval })
            await NotifyAsync(approval.InstanceId, link.Step, ended, CancellationToken.None);
        return outcome;
    }

    /// <summary>Tells an approval's orchestration that step <paramref name="step"/> ended as <paramref name="outcome"/>.</summary>
    public async Task NotifyAsync(string instanceId, int step, StepStatus outcome, CancellationToken ct)
    {
        try
        {
            await client.RaiseEventAsync(instanceId, ApprovalWorkflow.StepDecidedEvent, new StepDecided(step, outcome), ct);
        }
        catch (OrchestrationFinishedException)
        {
            // Finished already (e.g. its links ran out at the same moment): nothing is waiting for the news.
        }
    }
}
