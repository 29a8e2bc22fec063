using Pipeline.Durable;

namespace Pipeline.Functions.Approval;

/// <summary>Opens a step: its times on the office calendar, one link per approver, and the invitation mails.</summary>
[DurableTask(Name)]
public sealed class OpenApprovalStep(ApprovalStore store, ApprovalMailing mailing, ApprovalOptions options) : TaskActivity<StepWork, StepSchedule>
{
    /// <summary>The registered name.</summary>
    public const string Name = "approval-open-step";

    private readonly WorkingDayCalendar _calendar = options.Calendar();

    /// <inheritdoc/>
    public override async Task<StepSchedule> RunAsync(TaskActivityContext context, StepWork work)
    {
        var current = await store.GetAsync(work.ApprovalId, context.CancellationToken)
            ?? throw new InvalidOperationException($"Approval {work.ApprovalId} is missing.");
        var due = current.Route.Steps[work.Step].Due;
        var start = new DateTimeOffset(work.StartedAt, TimeSpan.Zero);
        var dueAt = _calendar.AddWorkingTime(start, due);
        // Half the working time, not half the calendar time: a two-day step opened on Friday reminds on Monday.
        var remindAt = _calendar.AddWorkingTime(start, due / 2);
        var expiresAt = _calendar.AddWorkingTime(dueAt, options.LinkGrace);

        var approval = await store.OpenStepAsync(work.ApprovalId, work.Step, start.UtcDateTime, dueAt.UtcDateTime, remindAt.UtcDateTime,
            expiresAt.UtcDateTime, context.CancellationToken);
        var step = approval!.Steps[work.Step];
        if (approval.Status != ApprovalStatus.Pending || step.Started is null) return new StepSchedule(false, default, default, default);
        await mailing.SendInvitationsAsync(approval, work.Step, context.CancellationToken);
        return new StepSchedule(true, step.RemindAt!.Value, step.DueAt!.Value, step.ExpiresAt!.Value);
    }
}

/// <summary>Reminds the approvers of a step who have not decided.</summary>
[DurableTask(Name)]
public sealed class RemindApprovers(ApprovalStore store, ApprovalMailing mailing) : TaskActivity<StepWork, int>
{
    /// <summary>The registered name.</summary>
    public const string Name = "approval-remind";

    /// <inheritdoc/>
    public override async Task<int> RunAsync(TaskActivityContext context, StepWork work)
    {
        var approval = await store.GetAsync(work.ApprovalId, context.CancellationToken);
        if (approval is not { Status: ApprovalStatus.Pending } || approval.Steps[work.Step].Status.IsFinished()) return 0;
        return await mailing.SendRemindersAsync(approval, work.Step, context.CancellationToken);
    }
}

/// <summary>At the due time: marks the step overdue and tells the escalation contact.</summary>
[DurableTask(Name)]
public sealed class EscalateApprovalStep(ApprovalStore store, ApprovalMailing mailing) : TaskActivity<StepWork, int>
{
    /// <summary>The registered name.</summary>
    public const string Name = "approval-escalate";

    /// <inheritdoc/>
    public override async Task<int> RunAsync(TaskActivityContext context, StepWork work)
    {
        var approval = await store.MarkOverdueAsync(work.ApprovalId, work.Step, context.CancellationToken);
        if (approval is not { Status: ApprovalStatus.Pending } || approval.Steps[work.Step].Status != StepStatus.Overdue) return 0;
        return await mailing.SendEscalationAsync(approval, work.Step, context.CancellationToken);
    }
}

/// <summary>When the links run out: ends the step as expired unless a decision got in first; returns how the step ended.</summary>
[DurableTask(Name)]
public sealed class ExpireApprovalStep(ApprovalStore store) : TaskActivity<StepWork, StepStatus>
{
    /// <summary>The registered name.</summary>
    public const string Name = "approval-expire-step";

    /// <inheritdoc/>
    public override Task<StepStatus> RunAsync(TaskActivityContext context, StepWork work) =>
        store.ExpireStepAsync(work.ApprovalId, work.Step, context.CancellationToken);
}

/// <summary>Ends the approval and sets the document's status; returns the approval's final status.</summary>
[DurableTask(Name)]
public sealed class FinishApproval(ApprovalStore store) : TaskActivity<FinishWork, ApprovalStatus>
{
    /// <summary>The registered name.</summary>
    public const string Name = "approval-finish";

    /// <inheritdoc/>
    public override async Task<ApprovalStatus> RunAsync(TaskActivityContext context, FinishWork work)
    {
        var approval = await store.FinishAsync(work.ApprovalId, work.Outcome, context.CancellationToken);
        return approval?.Status ?? work.Outcome;
    }
}
