using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Store;

/// <summary>Facts about statuses and inbox message kinds that every store applies the same way.</summary>
public static class InstanceStatus
{
    /// <summary>Statuses after which nothing more happens (short of a rewind or restart).</summary>
    public static bool IsFinished(this P.OrchestrationStatus status) => status is P.OrchestrationStatus.Completed
        or P.OrchestrationStatus.Failed or P.OrchestrationStatus.Terminated or P.OrchestrationStatus.Canceled;

    /// <summary>Every finished status.</summary>
    public static IReadOnlyList<P.OrchestrationStatus> Finished { get; } =
        [P.OrchestrationStatus.Completed, P.OrchestrationStatus.Failed, P.OrchestrationStatus.Terminated, P.OrchestrationStatus.Canceled];

    /// <summary>
    /// Whether an instance in <paramref name="status"/> takes an inbox message of <paramref name="kind"/> now: a pending
    /// instance only its start (so events raised before it runs wait for it) or termination; a suspended one only
    /// resume or termination; a failed one only a rewind; a running one anything.
    /// </summary>
    public static bool Takes(P.OrchestrationStatus status, P.HistoryEvent.EventTypeOneofCase kind) => status switch
    {
        P.OrchestrationStatus.Running => true,
        P.OrchestrationStatus.Pending => kind is P.HistoryEvent.EventTypeOneofCase.ExecutionStarted or P.HistoryEvent.EventTypeOneofCase.ExecutionTerminated,
        P.OrchestrationStatus.Suspended => kind is P.HistoryEvent.EventTypeOneofCase.ExecutionResumed or P.HistoryEvent.EventTypeOneofCase.ExecutionTerminated,
        P.OrchestrationStatus.Failed => kind is P.HistoryEvent.EventTypeOneofCase.ExecutionRewound,
        _ => false,
    };

    /// <summary>Whether a message of <paramref name="kind"/> may be put in the inbox of an instance in <paramref name="status"/>:
    /// any while it has not finished; only a rewind once it has failed.</summary>
    public static bool Accepts(P.OrchestrationStatus status, P.HistoryEvent.EventTypeOneofCase kind)
        => !status.IsFinished() || (status == P.OrchestrationStatus.Failed && kind == P.HistoryEvent.EventTypeOneofCase.ExecutionRewound);

    /// <summary>
    /// <see cref="Takes"/> as a SQL boolean expression over integer columns <paramref name="status"/> and
    /// <paramref name="kind"/> (both stores store the protobuf enum values), so the rule lives in one place.
    /// </summary>
    public static string TakesSql(string status, string kind) =>
        $"(CASE {status} WHEN {(int)P.OrchestrationStatus.Running} THEN TRUE " +
        $"WHEN {(int)P.OrchestrationStatus.Pending} THEN {kind} IN ({(int)P.HistoryEvent.EventTypeOneofCase.ExecutionStarted}, {(int)P.HistoryEvent.EventTypeOneofCase.ExecutionTerminated}) " +
        $"WHEN {(int)P.OrchestrationStatus.Suspended} THEN {kind} IN ({(int)P.HistoryEvent.EventTypeOneofCase.ExecutionResumed}, {(int)P.HistoryEvent.EventTypeOneofCase.ExecutionTerminated}) " +
        $"WHEN {(int)P.OrchestrationStatus.Failed} THEN {kind} = {(int)P.HistoryEvent.EventTypeOneofCase.ExecutionRewound} " +
        "ELSE FALSE END)";

    /// <summary>
    /// Which messages a leased instance gets, as SQL (like <see cref="TakesSql"/>): the same, except that a pending
    /// instance, leased because its start is due, gets everything visible with it (events raised before it ran).
    /// </summary>
    public static string LeaseTakesSql(string status, string kind) =>
        $"(CASE {status} WHEN {(int)P.OrchestrationStatus.Pending} THEN TRUE ELSE {TakesSql(status, kind)} END)";

    /// <summary>The finished statuses as a SQL list, e.g. for <c>status IN (…)</c>.</summary>
    public static string FinishedSql { get; } = "(" + string.Join(", ", Finished.Select(s => (int)s)) + ")";
}
