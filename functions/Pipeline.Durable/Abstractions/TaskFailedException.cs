namespace Pipeline.Durable;

/// <summary>
/// Thrown into orchestrator code when an activity or sub-orchestration it awaited failed (after any retries).
/// Catch it to compensate; <see cref="FailureDetails"/> says what went wrong where.
/// </summary>
public sealed class TaskFailedException(string taskName, int taskId, TaskFailureDetails failureDetails)
    : Exception($"Task '{taskName}' (#{taskId}) failed with an unhandled exception: {failureDetails.ErrorMessage}")
{
    /// <summary>Name of the activity or orchestrator that failed.</summary>
    public string TaskName { get; } = taskName;

    /// <summary>Sequence number of the failed call within the orchestration.</summary>
    public int TaskId { get; } = taskId;

    /// <summary>The failure as recorded in history.</summary>
    public TaskFailureDetails FailureDetails { get; } = failureDetails;
}

/// <summary>
/// The orchestrator's code no longer matches its recorded history (it was changed while instances were
/// running, or it is not deterministic). The instance fails with this error instead of doing the wrong thing.
/// </summary>
public sealed class NonDeterministicOrchestrationException(string message) : Exception(message);
