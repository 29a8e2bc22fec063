namespace Pipeline.Durable.Storage;

/// <summary>
/// Where the engine keeps instances, histories, inboxes and activity work. Every method is atomic.
/// Work is handed out under leases: a worker that crashes loses its leases when they expire, and its
/// work is handed out again. Commits are guarded by the lease, so a worker that lost its lease cannot
/// record anything.
/// </summary>
public interface IOrchestrationStore : IAsyncDisposable
{
    /// <summary>"sqlite" or "postgres".</summary>
    string Kind { get; }

    /// <summary>Creates the schema if needed and prepares the store for use.</summary>
    Task InitializeAsync(CancellationToken ct = default);

    /// <summary>
    /// Creates an instance (status Pending) with its ExecutionStarted message. An existing instance with the
    /// same id is replaced when it has finished; when it is still active this throws <see cref="OrchestrationAlreadyExistsException"/>.
    /// </summary>
    Task CreateInstanceAsync(NewOrchestrationInstance instance, CancellationToken ct = default);

    /// <summary>
    /// Puts a message (event, terminate, suspend, resume) in an instance's inbox.
    /// Returns NotFound / AlreadyFinished without storing anything when the instance cannot take it.
    /// </summary>
    Task<SendResult> SendMessageAsync(string instanceId, HistoryEvent message, CancellationToken ct = default);

    /// <summary>The instance's state, or null when there is none.</summary>
    Task<OrchestrationMetadata?> GetInstanceAsync(string instanceId, bool includeInputsAndOutputs, CancellationToken ct = default);

    /// <summary>A page of instances, newest first, with a continuation token when more remain.</summary>
    Task<OrchestrationQueryResult> QueryInstancesAsync(OrchestrationQuery query, CancellationToken ct = default);

    /// <summary>The current execution's history, in order.</summary>
    Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string instanceId, CancellationToken ct = default);

    /// <summary>Deletes a finished instance with its history. Returns false when there is no such instance; throws when it is still active.</summary>
    Task<bool> PurgeInstanceAsync(string instanceId, CancellationToken ct = default);

    /// <summary>
    /// Leases up to <paramref name="max"/> instances that have visible inbox messages, with those messages.
    /// A suspended instance is only handed out for resume/terminate messages.
    /// </summary>
    Task<IReadOnlyList<OrchestrationWorkItem>> LockNextOrchestrationsAsync(string workerId, int max, TimeSpan lease, CancellationToken ct = default);

    /// <summary>
    /// Commits one orchestration step in one transaction: history appended, consumed messages deleted,
    /// new activities, timers, messages and child instances stored, status updated, lease released.
    /// Returns false (and changes nothing) when the worker no longer holds the lease.
    /// </summary>
    Task<bool> CommitOrchestrationAsync(OrchestrationCommit commit, CancellationToken ct = default);

    /// <summary>Gives a leased instance back without changes; it becomes available again after <paramref name="delay"/>.</summary>
    Task AbandonOrchestrationAsync(OrchestrationWorkItem item, string workerId, TimeSpan delay, CancellationToken ct = default);

    /// <summary>Leases up to <paramref name="max"/> visible activity work items.</summary>
    Task<IReadOnlyList<ActivityWorkItem>> LockNextActivitiesAsync(string workerId, int max, TimeSpan lease, CancellationToken ct = default);

    /// <summary>
    /// Records activity results: for each one still leased by <paramref name="workerId"/> the work item is deleted
    /// and its result put in the orchestration's inbox, in one transaction. Results whose lease was lost are dropped
    /// (another worker redoes that work), so each result is recorded exactly once.
    /// </summary>
    Task CompleteActivitiesAsync(string workerId, IReadOnlyList<ActivityResult> results, CancellationToken ct = default);

    /// <summary>Extends every lease held by <paramref name="workerId"/> until now + <paramref name="lease"/>.</summary>
    Task RenewLeasesAsync(string workerId, TimeSpan lease, CancellationToken ct = default);

    /// <summary>Waits until new work of <paramref name="kind"/> may be available, or <paramref name="maxWait"/> passes.</summary>
    Task WaitForWorkAsync(WorkKind kind, TimeSpan maxWait, CancellationToken ct);

    /// <summary>Reachability and backlog, for health checks.</summary>
    Task<StoreHealth> GetHealthAsync(CancellationToken ct = default);
}

/// <summary>Kinds of work a worker waits for.</summary>
public enum WorkKind
{
    /// <summary>Orchestration steps (inbox messages).</summary>
    Orchestration,
    /// <summary>Activity calls.</summary>
    Activity,
}

/// <summary>Outcome of putting a message in an inbox.</summary>
public enum SendResult
{
    /// <summary>Stored.</summary>
    Sent,
    /// <summary>No such instance.</summary>
    NotFound,
    /// <summary>The instance has finished and takes no more messages.</summary>
    AlreadyFinished,
}

/// <summary>Thrown when an instance id is taken by an instance that is still active.</summary>
public sealed class OrchestrationAlreadyExistsException(string instanceId)
    : InvalidOperationException($"An orchestration with instance id '{instanceId}' already exists and is still running.")
{
    /// <summary>The id in use.</summary>
    public string InstanceId { get; } = instanceId;
}

/// <summary>A new instance to store.</summary>
public sealed record NewOrchestrationInstance(string InstanceId, string Name, string? Input, string ExecutionId, DateTime CreatedAt, ParentInstance? Parent = null);

/// <summary>An inbox message handed to a worker.</summary>
/// <param name="Id">Store id, used to delete it on commit.</param>
/// <param name="ExecutionId">The execution it is for; null for any (external events).</param>
/// <param name="Event">The message.</param>
public sealed record OrchestrationMessage(long Id, string? ExecutionId, HistoryEvent Event);

/// <summary>A leased orchestration step to run.</summary>
public sealed record OrchestrationWorkItem(
    string InstanceId,
    string ExecutionId,
    string Name,
    OrchestrationRuntimeStatus Status,
    int HistoryCount,
    IReadOnlyList<OrchestrationMessage> Messages);

/// <summary>A message for an instance's inbox, produced by a step.</summary>
/// <param name="InstanceId">Target instance (the step's own for timers).</param>
/// <param name="ExecutionId">Target execution, or null for any.</param>
/// <param name="Event">The message.</param>
/// <param name="VisibleAt">Not handed out before this time (timers).</param>
public sealed record OutboundMessage(string InstanceId, string? ExecutionId, HistoryEvent Event, DateTime VisibleAt);

/// <summary>An activity call to store as work.</summary>
public sealed record ActivityRequest(string InstanceId, string ExecutionId, int TaskScheduledId, string Name, string? Input);

/// <summary>A leased activity call.</summary>
public sealed record ActivityWorkItem(long Id, string InstanceId, string ExecutionId, int TaskScheduledId, string Name, string? Input, int DequeueCount);

/// <summary>An activity's outcome (a <see cref="TaskCompletedEvent"/> or <see cref="TaskFailedEvent"/>).</summary>
public sealed record ActivityResult(ActivityWorkItem WorkItem, HistoryEvent Result);

/// <summary>Everything one orchestration step changes, committed atomically.</summary>
public sealed record OrchestrationCommit
{
    /// <summary>The instance.</summary>
    public required string InstanceId { get; init; }
    /// <summary>The execution the step ran (guards against stale commits).</summary>
    public required string ExecutionId { get; init; }
    /// <summary>The worker holding the lease.</summary>
    public required string WorkerId { get; init; }
    /// <summary>Inbox messages the step consumed.</summary>
    public required IReadOnlyList<long> ConsumedMessageIds { get; init; }
    /// <summary>Events to append to history (after <see cref="ExpectedHistoryCount"/> existing ones).</summary>
    public required IReadOnlyList<HistoryEvent> NewHistory { get; init; }
    /// <summary>History length the step was computed on.</summary>
    public required int ExpectedHistoryCount { get; init; }
    /// <summary>Status after the step.</summary>
    public required OrchestrationRuntimeStatus Status { get; init; }
    /// <summary>Output (JSON) when completed, reason when terminated.</summary>
    public string? Output { get; init; }
    /// <summary>Failure when failed.</summary>
    public TaskFailureDetails? Failure { get; init; }
    /// <summary>Custom status (JSON).</summary>
    public string? CustomStatus { get; init; }
    /// <summary>Input of the execution (stored on the first step and on ContinueAsNew).</summary>
    public string? Input { get; init; }
    /// <summary>When set, the instance continues as new: history is cleared and this execution id begins.</summary>
    public string? ContinuedAsNewExecutionId { get; init; }
    /// <summary>Activity calls to store.</summary>
    public IReadOnlyList<ActivityRequest> Activities { get; init; } = [];
    /// <summary>Messages for this or other instances (timers, events, results to a parent, restart on ContinueAsNew).</summary>
    public IReadOnlyList<OutboundMessage> Messages { get; init; } = [];
    /// <summary>Child instances to create.</summary>
    public IReadOnlyList<NewOrchestrationInstance> SubOrchestrations { get; init; } = [];
}

/// <summary>Store health for <c>GET /api/health</c>.</summary>
/// <param name="Reachable">The store answered.</param>
/// <param name="PendingOrchestrationMessages">Inbox messages visible now.</param>
/// <param name="PendingActivities">Activity calls waiting or running.</param>
/// <param name="ScheduledTimers">Inbox messages due later (timers).</param>
/// <param name="Error">What went wrong when not reachable.</param>
public sealed record StoreHealth(bool Reachable, long PendingOrchestrationMessages, long PendingActivities, long ScheduledTimers, string? Error = null);
