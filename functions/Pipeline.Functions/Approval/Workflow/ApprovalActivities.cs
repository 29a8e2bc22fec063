using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Pipeline.Functions.Approval;

/// <summary>The answer of <see cref="BeginApproval"/>: whether the orchestration may run, and over how many steps (the stored route's).</summary>
public sealed record ApprovalStartAnswer(bool Accepted, int StepCount, string Reason);

/// <summary>What <see cref="BeginApproval"/> is asked: may instance <paramref name="InstanceId"/> run approval <paramref name="ApprovalId"/> over <paramref name="StepCount"/> steps?</summary>
public sealed record ApprovalStart(string ApprovalId, string InstanceId, int StepCount);

/// <summary>
/// Checks an orchestration's start against the store before anything else: the approval exists and is pending, the
/// orchestration is the approval's own instance, and its route has exactly the claimed steps, at least one. Refusals
/// are audited on the document (when there is one) and logged.
/// </summary>
public sealed class BeginApproval(ApprovalStore store, ILogger<BeginApproval> logger)
{
    /// <summary>The registered name.</summary>
    public const string Name = "approval-begin";

    /// <summary>The activity.</summary>
    [Function(Name)]
    public async Task<ApprovalStartAnswer> Run([ActivityTrigger] ApprovalStart start, FunctionContext context)
    {
        var answer = await store.CheckStartAsync(start.ApprovalId, start.InstanceId, start.StepCount, context.CancellationToken);
        if (!answer.Accepted)
            logger.LogWarning("Approval orchestration {InstanceId} refused for approval {ApprovalId}: {Reason}", start.InstanceId, start.ApprovalId, answer.Reason);
        return answer;
    }
}

/// <summary>Opens a step: its times on the office calendar, one link per approver, and the invitation mails.</summary>
public sealed class OpenApprovalStep(ApprovalStore store, ApprovalMailing mailing, ApprovalOptions options)
{
    /// <summary>The registered name.</summary>
    public const string Name = "approval-open-step";

    private readonly WorkingDayCalendar _calendar = options.Calendar();

    /// <summary>The activity.</summary>
    [Function(Name)]
    public async Task<StepSchedule> Run([ActivityTrigger] StepWork work, FunctionContext context)
    {
        var ct = context.CancellationToken;
        var current = await store.GetAsync(work.ApprovalId, ct)
            ?? throw new InvalidOperationException($"Approval {work.ApprovalId} is missing.");
        if (work.Step < 0 || work.Step >= current.Route.Steps.Count)
            throw new InvalidOperationException($"Approval {work.ApprovalId} has no step {work.Step}.");
        var due = current.Route.Steps[work.Step].Due;
        var start = new DateTimeOffset(DateTime.SpecifyKind(work.StartedAt, DateTimeKind.Utc), TimeSpan.Zero);
        var dueAt = _calendar.AddWorkingTime(start, due);
        // Half the working time, not half the calendar time: a two-day step opened on Friday reminds on Monday.
        var remindAt = _calendar.AddWorkingTime(start, due / 2);
        var expiresAt = _calendar.AddWorkingTime(dueAt, options.LinkGrace);

        var approval = await store.OpenStepAsync(work.ApprovalId, work.Step, start.UtcDateTime, dueAt.UtcDateTime, remindAt.UtcDateTime,
            expiresAt.UtcDateTime, ct);
        var step = approval!.Steps[work.Step];
        if (approval.Status != ApprovalStatus.Pending || step.Started is null)
            return new StepSchedule(false, default, default, default, approval.Route.Steps.Count);
        await mailing.SendInvitationsAsync(approval, work.Step, ct);
        return new StepSchedule(true, step.RemindAt!.Value, step.DueAt!.Value, step.ExpiresAt!.Value, approval.Route.Steps.Count);
    }
}

/// <summary>
/// Checks what a <see cref="ApprovalWorkflow.StepDecidedEvent"/> claims against the store: backed only when the step
/// ended in the store as the event says, by a recorded decision of the approver it names (or, for a cancellation, when
/// the approval was cancelled). Anything else is audited as <c>approval-event-ignored</c> and logged.
/// </summary>
public sealed class CheckStepEvent(ApprovalStore store, ILogger<CheckStepEvent> logger)
{
    /// <summary>The registered name.</summary>
    public const string Name = "approval-check-event";

    /// <summary>The activity.</summary>
    [Function(Name)]
    public async Task<StepEventAnswer> Run([ActivityTrigger] StepEventCheck check, FunctionContext context)
    {
        var answer = await store.CheckStepEventAsync(check, context.CancellationToken);
        if (answer.Verdict == StepEventVerdict.Refused)
            logger.LogWarning("Approval {ApprovalId} step {Step}: ignored a {Event} event the store does not back ({Reason})", check.ApprovalId, check.Step,
                ApprovalWorkflow.StepDecidedEvent, answer.Reason);
        return answer;
    }
}

/// <summary>Reminds the approvers of a step who have not decided.</summary>
public sealed class RemindApprovers(ApprovalStore store, ApprovalMailing mailing)
{
    /// <summary>The registered name.</summary>
    public const string Name = "approval-remind";

    /// <summary>The activity.</summary>
    [Function(Name)]
    public async Task<int> Run([ActivityTrigger] StepWork work, FunctionContext context)
    {
        var approval = await store.GetAsync(work.ApprovalId, context.CancellationToken);
        if (approval is not { Status: ApprovalStatus.Pending } || approval.Steps[work.Step].Status.IsFinished()) return 0;
        return await mailing.SendRemindersAsync(approval, work.Step, context.CancellationToken);
    }
}

/// <summary>At the due time: marks the step overdue and tells the escalation contact.</summary>
public sealed class EscalateApprovalStep(ApprovalStore store, ApprovalMailing mailing)
{
    /// <summary>The registered name.</summary>
    public const string Name = "approval-escalate";

    /// <summary>The activity.</summary>
    [Function(Name)]
    public async Task<int> Run([ActivityTrigger] StepWork work, FunctionContext context)
    {
        var approval = await store.MarkOverdueAsync(work.ApprovalId, work.Step, context.CancellationToken);
        if (approval is not { Status: ApprovalStatus.Pending } || approval.Steps[work.Step].Status != StepStatus.Overdue) return 0;
        return await mailing.SendEscalationAsync(approval, work.Step, context.CancellationToken);
    }
}

/// <summary>When the links run out: ends the step as expired unless a decision got in first; returns how the step ended.</summary>
public sealed class ExpireApprovalStep(ApprovalStore store)
{
    /// <summary>The registered name.</summary>
    public const string Name = "approval-expire-step";

    /// <summary>The activity.</summary>
    [Function(Name)]
    public Task<StepStatus> Run([ActivityTrigger] StepWork work, FunctionContext context) =>
        store.ExpireStepAsync(work.ApprovalId, work.Step, context.CancellationToken);
}

/// <summary>
/// Ends the approval and sets the document's status; returns the approval's final status. The store ends it only as
/// its steps say (see <see cref="ApprovalStore.FinishAsync"/>).
/// </summary>
public sealed class FinishApproval(ApprovalStore store)
{
    /// <summary>The registered name.</summary>
    public const string Name = "approval-finish";

    /// <summary>The activity.</summary>
    [Function(Name)]
    public async Task<ApprovalStatus> Run([ActivityTrigger] FinishWork work, FunctionContext context)
    {
        var approval = await store.FinishAsync(work.ApprovalId, work.Outcome, context.CancellationToken);
        return approval?.Status ?? work.Outcome;
    }
}
