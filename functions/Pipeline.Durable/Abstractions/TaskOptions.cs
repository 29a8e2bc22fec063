namespace Pipeline.Durable;

/// <summary>Options for an activity or sub-orchestration call.</summary>
/// <param name="Retry">Retry policy; null means the worker's default (host.json <c>defaultRetry</c>) for activities, none for sub-orchestrations.</param>
public record TaskOptions(RetryPolicy? Retry = null)
{
    /// <summary>Options that only set a retry policy.</summary>
    public static TaskOptions FromRetryPolicy(RetryPolicy policy) => new(policy);

    /// <summary>No retries, whatever the worker's default.</summary>
    public static TaskOptions NoRetry { get; } = new(RetryPolicy.None);
}

/// <summary>Options for a sub-orchestration call.</summary>
/// <param name="InstanceId">Instance id for the child; a deterministic id is derived when null.</param>
/// <param name="Retry">Retry policy for the child orchestration as a whole.</param>
public sealed record SubOrchestrationOptions(string? InstanceId = null, RetryPolicy? Retry = null) : TaskOptions(Retry);

/// <summary>
/// Retries of a failed activity or sub-orchestration. Waits between attempts are durable timers, so a
/// retry schedule survives restarts. Delay before attempt n+1 = firstRetryInterval × backoffCoefficient^(n-1),
/// capped at <paramref name="MaxRetryInterval"/>; no further attempt starts after <paramref name="RetryTimeout"/>.
/// </summary>
public sealed record RetryPolicy(
    int MaxNumberOfAttempts,
    TimeSpan FirstRetryInterval,
    double BackoffCoefficient = 1.0,
    TimeSpan? MaxRetryInterval = null,
    TimeSpan? RetryTimeout = null)
{
    /// <summary>A policy that makes exactly one attempt.</summary>
    public static RetryPolicy None { get; } = new(1, TimeSpan.Zero);

    /// <summary>Optional filter: return false to stop retrying for a failure (e.g. a validation error).</summary>
    public Func<TaskFailureDetails, bool>? Handle { get; init; }

    /// <summary>The delay before the given (1-based) retry.</summary>
    public TimeSpan DelayBeforeRetry(int retryNumber)
    {
        var ms = FirstRetryInterval.TotalMilliseconds * Math.Pow(BackoffCoefficient, retryNumber - 1);
        var delay = TimeSpan.FromMilliseconds(Math.Min(ms, TimeSpan.MaxValue.TotalMilliseconds / 2));
        return MaxRetryInterval is { } max && delay > max ? max : delay;
    }
}
