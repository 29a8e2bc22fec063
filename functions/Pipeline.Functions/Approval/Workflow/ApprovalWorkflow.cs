using Pipeline.Durable;
using Pipeline.Functions.Durable;

namespace Pipeline.Functions.Approval;

/// <summary>
/// <c>ApprovalWorkflow</c>: takes a document through the steps of its route. Each step opens (links issued, approvers
/// mailed), then waits for the <see cref="StepDecidedEvent"/> the decision page raises once the store has ended the
/// step, against durable timers: at half the due time the undecided approvers are reminded, at the due time the step
/// is escalated and marked overdue (it never passes by itself), and when the links run out (due plus grace) the
/// approval expires. An approved step opens the next; anything else ends the approval.
/// </summary>
/// <remarks>
/// Decisions are recorded, and steps ended, by the store in one transaction with the decision itself; this
/// orchestration only carries the approval forward, so its activities are idempotent and a crash anywhere repeats no
/// mail (each has a stable key, see <see cref="ApprovalMailing"/>).
/// </remarks>
[DurableTask(Name)]
public sealed class ApprovalWorkflow : TaskOrchestrator<ApprovalInput, string>
{
    /// <summary>The registered name.</summary>
    public const string Name = "ApprovalWorkflow";

    /// <summary>The event a step's end raises (payload <see cref="StepDecided"/>).</summary>
    public const string StepDecidedEvent = "StepDecided";

    /// <inheritdoc/>
    public override async Task<string> RunAsync(TaskOrchestrationContext context, ApprovalInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        for (var step = 0; step < input.StepCount; step++)
        {
            var schedule = await context.CallActivityAsync<StepSchedule>(OpenApprovalStep.Name,
                new StepWork(input.ApprovalId, step, context.CurrentUtcDateTime), WorkflowRetries.Patient);
            if (!schedule.Open) return ApprovalStatus.Cancelled.ToString();
            context.SetCustomStatus(new { step, stepCount = input.StepCount, stage = "waiting", dueAt = schedule.DueAt });

            var outcome = await WaitForStepAsync(context, input.ApprovalId, step, schedule);
            if (outcome == StepStatus.Approved) continue;
            if (outcome == StepStatus.Cancelled) return ApprovalStatus.Cancelled.ToString();
            return await FinishAsync(context, input, outcome switch
            {
                StepStatus.Rejected => ApprovalStatus.Rejected,
                StepStatus.Returned => ApprovalStatus.Returned,
                _ => ApprovalStatus.Expired,
            });
        }
        return await FinishAsync(context, input, ApprovalStatus.Approved);
    }

    private static async Task<StepStatus> WaitForStepAsync(TaskOrchestrationContext context, string approvalId, int step, StepSchedule schedule)
    {
        var work = new StepWork(approvalId, step, context.CurrentUtcDateTime);
        var deadlines = new[] { schedule.RemindAt, schedule.DueAt, schedule.ExpiresAt };
        var passed = 0;
        while (true)
        {
            using var cancel = new CancellationTokenSource();
            var timer = context.CreateTimer(deadlines[passed], cancel.Token);
            var decided = context.WaitForExternalEvent<StepDecided>(StepDecidedEvent, cancel.Token);
            var first = await Task.WhenAny(timer, decided);
            cancel.Cancel();
            if (first == decided)
            {
                var ended = await decided;
                // An event of an earlier step (raised twice, e.g. by recovery after a restart) says nothing about this one.
                if (ended.Step == step) return ended.Outcome;
                continue;
            }

            switch (passed++)
            {
                case 0:
                    await context.CallActivityAsync<int>(RemindApprovers.Name, work, WorkflowRetries.Patient);
                    context.SetCustomStatus(new { step, stage = "reminded", dueAt = schedule.DueAt });
                    break;
                case 1:
                    await context.CallActivityAsync<int>(EscalateApprovalStep.Name, work, WorkflowRetries.Patient);
                    context.SetCustomStatus(new { step, stage = "overdue", dueAt = schedule.DueAt });
                    break;
                default:
                    return await context.CallActivityAsync<StepStatus>(ExpireApprovalStep.Name, work, WorkflowRetries.Patient);
            }
        }
    }

    private static async Task<string> FinishAsync(TaskOrchestrationContext context, ApprovalInput input, ApprovalStatus outcome)
    {
        var finished = await context.CallActivityAsync<ApprovalStatus>(FinishApproval.Name, new FinishWork(input.ApprovalId, outcome), WorkflowRetries.Patient);
        context.SetCustomStatus(new { stage = "finished", outcome = finished.ToString() });
        return finished.ToString();
    }
}
