namespace Pipeline.Durable;

/// <summary>Lifecycle of an orchestration instance, named as Durable Functions names it.</summary>
public enum OrchestrationRuntimeStatus
{
    /// <summary>Scheduled; no worker has run it yet.</summary>
    Pending,
    /// <summary>Started and not finished (including while waiting on timers, events or activities).</summary>
    Running,
    /// <summary>Returned a result.</summary>
    Completed,
    /// <summary>Threw, or its history no longer matched its code.</summary>
    Failed,
    /// <summary>Stopped by a terminate request.</summary>
    Terminated,
    /// <summary>Paused by a suspend request; messages wait until it is resumed.</summary>
    Suspended,
}

/// <summary>Helpers on <see cref="OrchestrationRuntimeStatus"/>.</summary>
public static class OrchestrationRuntimeStatusExtensions
{
    /// <summary>Completed, Failed or Terminated: nothing more will happen to the instance.</summary>
    public static bool IsTerminal(this OrchestrationRuntimeStatus status)
        => status is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated;
}
