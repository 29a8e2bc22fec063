using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Pipeline.Functions.Approval;

/// <summary>
/// At startup and then every minute, for every pending approval: starts its orchestration if the process died between
/// storing the approval and scheduling it, and raises the step-ended event again when its current step ended in the
/// store (the process may have died before the event was raised; the orchestration checks every event against the
/// store, and one about a step it has left changes nothing).
/// </summary>
public sealed class ApprovalRecovery(ApprovalStore store, ApprovalDecisions decisions, ILogger<ApprovalRecovery> logger)
{
    /// <summary>The function's name.</summary>
    public const string Name = "ApprovalRecovery";

    /// <summary>The timer function.</summary>
    [Function(Name)]
    public async Task Run([TimerTrigger("0 */1 * * * *", RunOnStartup = true)] TimerInfo timer, [DurableClient] DurableTaskClient client,
        CancellationToken ct)
    {
        foreach (var approval in await store.ListPendingAsync(ct))
        {
            await ScheduleAsync(client, approval, ct);
            if (approval.CurrentStep is { } step && approval.Steps[step].Status.IsFinished())
            {
                logger.LogInformation("Approval {ApprovalId}: step {Step} ended as {Outcome}; telling its orchestration again", approval.Id, step, approval.Steps[step].Status);
                await decisions.NotifyAsync(client, approval.InstanceId, ApprovalDecisions.EventFor(approval, step), ct);
            }
        }
    }

    /// <summary>Starts the approval's orchestration unless it exists already.</summary>
    public static async Task ScheduleAsync(DurableTaskClient client, ApprovalRecord approval, CancellationToken ct)
    {
        // Asked first, so that an instance that has ended is never replaced by a new one with the same id.
        if (await client.GetInstanceAsync(approval.InstanceId, getInputsAndOutputs: false, ct) is not null) return;
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(ApprovalWorkflow.Name, new ApprovalInput(approval.Id, approval.Route.Steps.Count),
                new StartOrchestrationOptions(approval.InstanceId), ct);
        }
        catch (DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException)
        {
            // Scheduled at the same moment by the request or another round.
        }
    }
}
