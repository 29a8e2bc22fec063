using Pipeline.Durable;
using Pipeline.Durable.Storage;

namespace Pipeline.Functions.Approval;

/// <summary>
/// At startup, for every pending approval: starts its orchestration if the process died between storing the approval
/// and scheduling it, and raises the step-ended event again when its current step ended in the store (the process may
/// have died before the event was raised; an event for a step the orchestration has left is ignored by it).
/// </summary>
public sealed class ApprovalRecovery(ApprovalStore store, ApprovalDecisions decisions, DurableTaskClient client, ILogger<ApprovalRecovery> logger) : BackgroundService
{
    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var approval in await store.ListPendingAsync(stoppingToken))
        {
            await ScheduleAsync(client, approval, stoppingToken);
            if (approval.CurrentStep is { } step && approval.Steps[step].Status.IsFinished())
            {
                logger.LogInformation("Approval {ApprovalId}: step {Step} ended as {Outcome} before a restart; telling its orchestration again", approval.Id, step, approval.Steps[step].Status);
                await decisions.NotifyAsync(approval.InstanceId, step, approval.Steps[step].Status, stoppingToken);
            }
        }
    }

    /// <summary>Starts the approval's orchestration; does nothing when it exists already.</summary>
    public static async Task ScheduleAsync(DurableTaskClient client, ApprovalRecord approval, CancellationToken ct)
    {
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(ApprovalWorkflow.Name, new ApprovalInput(approval.Id, approval.Route.Steps.Count),
                new StartOrchestrationOptions { InstanceId = approval.InstanceId }, ct);
        }
        catch (OrchestrationAlreadyExistsException)
        {
            // Scheduled before the restart.
        }
    }
}
