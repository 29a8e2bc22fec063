using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Store;

/// <summary>Kinds of work the sidecar hands out.</summary>
public enum WorkKind
{
    /// <summary>Orchestration episodes (inbox messages).</summary>
    Orchestration,

    /// <summary>Activity calls.</summary>
    Activity,
}

/// <summary>The parent of a sub-orchestration: where its completion is reported.</summary>
/// <param name="InstanceId">The parent instance.</param>
/// <param name="ExecutionId">The parent execution that created the child.</param>
/// <param name="TaskScheduledId">The parent's action id for the call.</param>
public sealed record ParentLink(string InstanceId, string ExecutionId, int TaskScheduledId);

/// <summary>An instance to create; <see cref="Started"/> is its first inbox message.</summary>
/// <param name="InstanceId">The instance id.</param>
/// <param name="ExecutionId">The first execution's id.</param>
/// <param name="Name">The orchestrator name.</param>
/// <param name="Version">The orchestrator version, if any.</param>
/// <param name="Input">The serialized input.</param>
/// <param name="Parent">Set for sub-orchestrations.</param>
/// <param name="StartAt">Not started before this time (null: now).</param>
/// <param name="Started">The ExecutionStarted event.</param>
public sealed record NewInstance(string InstanceId, string ExecutionId, string Name, string? Version, string? Input,
    ParentLink? Parent, DateTime? StartAt, P.HistoryEvent Started);

/// <summary>Outcome of creating an instance.</summary>
/// <param name="Created">True when created.</param>
/// <param name="ExistingStatus">When not created: the status of the instance holding the id.</param>
public readonly record struct CreateOutcome(bool Created, P.OrchestrationStatus? ExistingStatus);

/// <summary>Outcome of putting a message in an inbox.</summary>
public enum SendOutcome
{
    /// <summary>Stored.</summary>
    Sent,

    /// <summary>No such instance.</summary>
    NotFound,

    /// <summary>The instance has finished and takes no more messages.</summary>
    Finished,
}

/// <summary>An instance's state as the store keeps it.</summary>
public sealed record InstanceRecord
{
    /// <summary>The instance id.</summary>
    public required string InstanceId { get; init; }

    /// <summary>The current execution.</summary>
    public required string ExecutionId { get; init; }

    /// <summary>The orchestrator name.</summary>
    public required string Name { get; init; }

    /// <summary>The orchestrator version, if any.</summary>
    public string? Version { get; init; }

    /// <summary>The runtime status.</summary>
    public required P.OrchestrationStatus Status { get; init; }

    /// <summary>When the instance was created.</summary>
    public required DateTime CreatedAt { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTime LastUpdatedAt { get; init; }

    /// <summary>When it finished, if it has.</summary>
    public DateTime? CompletedAt { get; init; }

    /// <summary>When it was asked to start (scheduled start), if later than creation.</summary>
    public DateTime? ScheduledStartAt { get; init; }

    /// <summary>The current execution's input (only when asked for payloads).</summary>
    public string? Input { get; init; }

    /// <summary>The output, or the reason when terminated (only when asked for payloads).</summary>
    public string? Output { get; init; }

    /// <summary>The custom status.</summary>
    public string? CustomStatus { get; init; }

    /// <summary>Why it failed.</summary>
    public P.TaskFailureDetails? Failure { get; init; }

    /// <summary>The parent, for a sub-orchestration.</summary>
    public ParentLink? Parent { get; init; }
}

/// <summary>An inbox message handed out with an orchestration lease.</summary>
/// <param name="Id">Store id (deleted when the episode consumes it).</param>
/// <param name="ExecutionId">The execution it is addressed to; null for any.</param>
/// <param name="Event">The message.</param>
public sealed record InboxMessage(long Id, string? ExecutionId, P.HistoryEvent Event);

/// <summary>A leased instance with the inbox messages it can take now.</summary>
public sealed record LeasedOrchestration
{
    /// <summary>The instance.</summary>
    public required string InstanceId { get; init; }

    /// <summary>Its current execution.</summary>
    public required string ExecutionId { get; init; }

    /// <summary>Its orchestrator name.</summary>
    public required string Name { get; init; }

    /// <summary>Its status.</summary>
    public required P.OrchestrationStatus Status { get; init; }

    /// <summary>How many events its current history holds.</summary>
    public required int HistoryCount { get; init; }

    /// <summary>How many times it was handed out since its last committed episode, this time included.</summary>
    public required int Attempts { get; init; }

    /// <summary>Why the last hand-out did not commit, if one did not.</summary>
    public string? LastError { get; init; }

    /// <summary>The token of this lease.</summary>
    public required string LeaseToken { get; init; }

    /// <summary>The store's clock at lease time (the database's, on PostgreSQL).</summary>
    public required DateTime Now { get; init; }

    /// <summary>The time of the instance's last episode, if any (kept across ContinueAsNew).</summary>
    public DateTime? LastEpisodeAt { get; init; }

    /// <summary>The parent, for a sub-orchestration.</summary>
    public ParentLink? Parent { get; init; }

    /// <summary>The messages, oldest first.</summary>
    public required IReadOnlyList<InboxMessage> Messages { get; init; }
}

/// <summary>An activity call to store, as the <see cref="P.ActivityRequest"/> the worker will get.</summary>
/// <param name="TaskId">The orchestration's action id.</param>
/// <param name="Request">The request.</param>
public sealed record NewActivity(int TaskId, P.ActivityRequest Request);

/// <summary>A message an episode sends to its own or another instance's inbox.</summary>
/// <param name="InstanceId">The target.</param>
/// <param name="ExecutionId">The target execution, or null for any.</param>
/// <param name="Event">The message.</param>
/// <param name="VisibleAt">Not handed out before this time (timers); null: at once.</param>
public sealed record OutboundMessage(string InstanceId, string? ExecutionId, P.HistoryEvent Event, DateTime? VisibleAt = null);

/// <summary>A sub-orchestration an episode creates.</summary>
/// <param name="Instance">The child.</param>
/// <param name="FailureIfTaken">Put in the parent's inbox instead when the id is already taken by any instance.</param>
public sealed record NewChild(NewInstance Instance, P.HistoryEvent FailureIfTaken);

/// <summary>Everything one orchestration episode changes, committed atomically under its lease.</summary>
public sealed record EpisodeCommit
{
    /// <summary>The instance.</summary>
    public required string InstanceId { get; init; }

    /// <summary>The lease the episode ran under.</summary>
    public required string LeaseToken { get; init; }

    /// <summary>The execution the episode ran on.</summary>
    public required string ExecutionId { get; init; }

    /// <summary>History length the episode was computed on.</summary>
    public required int ExpectedHistoryCount { get; init; }

    /// <summary>Inbox messages consumed (processed or dropped); the others stay in the inbox.</summary>
    public required IReadOnlyList<long> ConsumedMessageIds { get; init; }

    /// <summary>Events appended to history, or the whole new history when <see cref="NewExecutionId"/> is set.</summary>
    public required IReadOnlyList<P.HistoryEvent> History { get; init; }

    /// <summary>Set when a new execution begins (ContinueAsNew, rewind): history is replaced by <see cref="History"/>.</summary>
    public string? NewExecutionId { get; init; }

    /// <summary>The status after the episode.</summary>
    public required P.OrchestrationStatus Status { get; init; }

    /// <summary>The output when finished (the reason when terminated).</summary>
    public string? Output { get; init; }

    /// <summary>The failure when failed.</summary>
    public P.TaskFailureDetails? Failure { get; init; }

    /// <summary>The custom status after the episode.</summary>
    public string? CustomStatus { get; init; }

    /// <summary>True when the episode leaves the custom status as it is (the sidecar decided it, not the orchestrator).</summary>
    public bool KeepCustomStatus { get; init; }

    /// <summary>The input of a new execution.</summary>
    public string? NewInput { get; init; }

    /// <summary>The episode's time (its OrchestratorStarted timestamp).</summary>
    public required DateTime EpisodeTime { get; init; }

    /// <summary>True when the instance was terminated: its activity work nobody runs is deleted.</summary>
    public bool Terminated { get; init; }

    /// <summary>Activity calls to store.</summary>
    public IReadOnlyList<NewActivity> Activities { get; init; } = [];

    /// <summary>Sub-orchestrations to create.</summary>
    public IReadOnlyList<NewChild> Children { get; init; } = [];

    /// <summary>Messages to this or other instances.</summary>
    public IReadOnlyList<OutboundMessage> Messages { get; init; } = [];
}

/// <summary>A leased activity call.</summary>
/// <param name="Id">Store id.</param>
/// <param name="InstanceId">The orchestration that called it.</param>
/// <param name="ExecutionId">The execution that called it.</param>
/// <param name="TaskId">The orchestration's action id.</param>
/// <param name="Request">The request for the worker.</param>
/// <param name="Attempts">How many times it was handed out, this time included.</param>
/// <param name="LastError">Why the previous hand-out ended without a result, if it did.</param>
/// <param name="LeaseToken">The token of this lease.</param>
public sealed record LeasedActivity(long Id, string InstanceId, string ExecutionId, int TaskId, P.ActivityRequest Request,
    int Attempts, string? LastError, string LeaseToken);

/// <summary>An activity's result (TaskCompleted or TaskFailed) for its orchestration's inbox.</summary>
/// <param name="ActivityId">The work item.</param>
/// <param name="LeaseToken">The lease it ran under.</param>
/// <param name="InstanceId">Its orchestration.</param>
/// <param name="ExecutionId">Its orchestration's execution.</param>
/// <param name="Result">The event.</param>
public sealed record ActivityResult(long ActivityId, string LeaseToken, string InstanceId, string ExecutionId, P.HistoryEvent Result);

/// <summary>A keyset position: the sort time and instance id of the last row of a page.</summary>
/// <param name="Time">Creation time (queries) or completion time (id lists).</param>
/// <param name="InstanceId">The instance id.</param>
public readonly record struct PageKey(DateTime Time, string InstanceId);

/// <summary>Which instances a query returns.</summary>
public sealed record InstanceFilter
{
    /// <summary>Only these statuses (empty: any).</summary>
    public IReadOnlyCollection<P.OrchestrationStatus> Statuses { get; init; } = [];

    /// <summary>Created at or after.</summary>
    public DateTime? CreatedFrom { get; init; }

    /// <summary>Created before.</summary>
    public DateTime? CreatedTo { get; init; }

    /// <summary>Instance ids starting with.</summary>
    public string? InstanceIdPrefix { get; init; }

    /// <summary>Page size (1–1000).</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>Start after this position.</summary>
    public PageKey? After { get; init; }

    /// <summary>Include inputs and outputs.</summary>
    public bool WithPayloads { get; init; }
}

/// <summary>A page of instances.</summary>
/// <param name="Instances">The instances.</param>
/// <param name="Last">The position of the last one when more may follow.</param>
public sealed record InstancePage(IReadOnlyList<InstanceRecord> Instances, PageKey? Last);

/// <summary>Which finished instances' ids a listing returns.</summary>
public sealed record InstanceIdFilter
{
    /// <summary>Only these statuses (empty: any finished).</summary>
    public IReadOnlyCollection<P.OrchestrationStatus> Statuses { get; init; } = [];

    /// <summary>Completed at or after.</summary>
    public DateTime? CompletedFrom { get; init; }

    /// <summary>Completed before.</summary>
    public DateTime? CompletedTo { get; init; }

    /// <summary>Page size (1–1000).</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>Start after this position.</summary>
    public PageKey? After { get; init; }
}

/// <summary>A page of instance ids.</summary>
/// <param name="InstanceIds">The ids.</param>
/// <param name="Last">The position of the last one when more may follow.</param>
public sealed record InstanceIdPage(IReadOnlyList<string> InstanceIds, PageKey? Last);

/// <summary>Which finished instances a purge deletes.</summary>
public sealed record PurgeFilter
{
    /// <summary>Created at or after.</summary>
    public DateTime? CreatedFrom { get; init; }

    /// <summary>Created before.</summary>
    public DateTime? CreatedTo { get; init; }

    /// <summary>Only these (finished) statuses; empty: every finished status.</summary>
    public IReadOnlyCollection<P.OrchestrationStatus> Statuses { get; init; } = [];
}

/// <summary>Outcome of a purge.</summary>
/// <param name="Deleted">Instances deleted.</param>
/// <param name="Complete">False when a deadline stopped it before every match was deleted.</param>
/// <param name="NotFinished">For a single-instance purge: the instance exists but has not finished.</param>
public readonly record struct PurgeOutcome(int Deleted, bool Complete, bool NotFinished = false);

/// <summary>Store reachability and backlog.</summary>
/// <param name="Reachable">The store answered.</param>
/// <param name="PendingOrchestrationMessages">Inbox messages visible now.</param>
/// <param name="PendingActivities">Activity calls waiting or running.</param>
/// <param name="ScheduledTimers">Inbox messages visible later (timers, scheduled starts).</param>
/// <param name="Error">What went wrong when not reachable.</param>
public sealed record StoreHealth(bool Reachable, long PendingOrchestrationMessages, long PendingActivities, long ScheduledTimers, string? Error = null);
