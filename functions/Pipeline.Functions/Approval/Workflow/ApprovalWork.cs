namespace Pipeline.Functions.Approval;

/// <summary>The approval orchestration's input. <paramref name="StepCount"/> must match the stored route; the orchestration refuses anything else.</summary>
public sealed record ApprovalInput(string ApprovalId, int StepCount);

/// <summary>One step of one approval, as activities get it. <paramref name="StartedAt"/> is the orchestration's time when the step opened.</summary>
public sealed record StepWork(string ApprovalId, int Step, DateTime StartedAt);

/// <summary>
/// A step's times as stored when it opened; <paramref name="Open"/> is false when the approval ended before the step
/// could open. <paramref name="StepCount"/> is the number of steps of the stored route.
/// </summary>
public sealed record StepSchedule(bool Open, DateTime RemindAt, DateTime DueAt, DateTime ExpiresAt, int StepCount = 0);

/// <summary>
/// The event that tells the orchestration a step ended, raised after the store recorded it. It only wakes the
/// orchestration: what it claims is checked against the store (<see cref="CheckStepEvent"/>) before anything is done.
/// </summary>
/// <param name="Step">The 0-based step that ended.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Approver">The approver whose decision ended it (null when the approval was cancelled).</param>
public sealed record StepDecided(int Step, StepStatus Outcome, string? Approver = null);

/// <summary>The end of an approval.</summary>
public sealed record FinishWork(string ApprovalId, ApprovalStatus Outcome);

/// <summary>
/// What <see cref="CheckStepEvent"/> is asked: does the store back <paramref name="Event"/> (the event's JSON as
/// received, null if it had none) for step <paramref name="Step"/> of the approval run by <paramref name="InstanceId"/>?
/// </summary>
public sealed record StepEventCheck(string ApprovalId, string InstanceId, int Step, string? Event);

/// <summary>What the store says about an event.</summary>
public enum StepEventVerdict
{
    /// <summary>The store backs it: the step ended as the event says, by the decision it names. Act on <see cref="StepEventAnswer.Outcome"/>.</summary>
    Backed,
    /// <summary>It is true of an earlier step (raised again, e.g. by recovery): nothing to do.</summary>
    Stale,
    /// <summary>The store does not back it (forged, malformed, or about another approval): ignored, audited.</summary>
    Refused,
}

/// <summary>The answer of <see cref="CheckStepEvent"/>; <paramref name="Outcome"/> is the step's end as stored when <see cref="StepEventVerdict.Backed"/>.</summary>
public sealed record StepEventAnswer(StepEventVerdict Verdict, StepStatus? Outcome, string Reason);

/// <summary>Why the orchestration refused to run (audited by <see cref="RefuseApprovalStart"/>).</summary>
public sealed record StartRefusal(string ApprovalId, string InstanceId, string Reason);
