using Grpc.Core;
using Microsoft.DurableTask.Client;
using Pipeline.Functions.Links;

namespace Pipeline.Functions.Approval;

/// <summary>
/// Records a decision made through a link and, when it ends the step, tells the approval's orchestration. The store
/// decides (one transaction); the event only wakes the orchestration, which checks it against the store before it
/// acts, and <see cref="ApprovalRecovery"/> raises it again should the process die between the two.
/// </summary>
public sealed class ApprovalDecisions(ApprovalStore store, ILogger<ApprovalDecisions> logger)
{
    /// <summary>Records the decision (see <see cref="ApprovalStore.DecideAsync"/>) and, when it ended the step, tells the orchestration through <paramref name="client"/>.</summary>
    public async Task<DecisionOutcome> DecideAsync(DurableTaskClient client, LinkClaims link, ApprovalDecision decision, string? comment, string clientAddress,
        string? userAgent, CancellationToken ct = default)
    {
        var outcome = await store.DecideAsync(link, decision, comment, clientAddress, userAgent, ct);
        if (outcome is { Result: DecisionResult.Recorded, StepOutcome: { } ended, Approval: { } approval })
            await NotifyAsync(client, approval.InstanceId, new StepDecided(link.Step, ended, link.Recipient), CancellationToken.None);
        return outcome;
    }

    /// <summary>Tells an approval's orchestration that a step ended; an orchestration that has finished or does not exist (yet) is left alone.</summary>
    public async Task NotifyAsync(DurableTaskClient client, string instanceId, StepDecided ended, CancellationToken ct)
    {
        try
        {
            await client.RaiseEventAsync(instanceId, ApprovalWorkflow.StepDecidedEvent, ended, ct);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.FailedPrecondition or StatusCode.NotFound)
        {
            // Finished already (e.g. its links ran out at the same moment): nothing is waiting for the news. Not
            // there: recovery starts it, and it reads the step from the store when it gets there.
            logger.LogInformation("Approval orchestration {InstanceId} was not told that step {Step} ended: {Reason}", instanceId, ended.Step, e.Status.Detail);
        }
    }

    /// <summary>The event that says how step <paramref name="step"/> of <paramref name="approval"/> ended, as the store has it (with the approver whose decision ended it).</summary>
    public static StepDecided EventFor(ApprovalRecord approval, int step)
    {
        var stored = approval.Steps[step];
        var decider = stored.Decisions.LastOrDefault(d => d.Decision.Outcome() == stored.Status)?.Approver;
        return new StepDecided(step, stored.Status, decider);
    }
}
