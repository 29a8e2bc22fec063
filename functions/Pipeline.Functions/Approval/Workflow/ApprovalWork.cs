namespace Pipeline.Functions.Approval;

/// <summary>The approval orchestration's input.</summary>
public sealed record ApprovalInput(string ApprovalId, int StepCount);

/// <summary>One step of one approval, as activities get it. <paramref name="StartedAt"/> is the orchestration's time when the step opened.</summary>
public sealed record StepWork(string ApprovalId, int Step, DateTime StartedAt);

/// <summary>A step's times as stored when it opened; <paramref name="Open"/> is false when the approval ended before the step could open.</summary>
public sealed record StepSchedule(bool Open, DateTime RemindAt, DateTime DueAt, DateTime ExpiresAt);

/// <summary>The event that tells the orchestration a step ended (raised after the store recorded it).</summary>
public sealed record StepDecided(int Step, StepStatus Outcome);

/// <summary>The end of an approval.</summary>
public sealed record FinishWork(string ApprovalId, ApprovalStatus Outcome);
