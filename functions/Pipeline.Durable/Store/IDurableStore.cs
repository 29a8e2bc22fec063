using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Store;

/// <summary>
/// Where the sidecar keeps instances, histories (protobuf <see cref="P.HistoryEvent"/>s), inboxes and activity work.
/// Every method is one transaction. Work is handed out under leases with a token per lease; every write that ends a
/// lease (episode commit, activity completion, release) is guarded by that token, so a holder whose lease expired and
/// was taken over changes nothing. Expected outcomes (an id in use, an instance that has finished) are results, not
/// exceptions; exceptions mean the store could not do what was asked.
/// </summary>
public interface IDurableStore : IAsyncDisposable
{
    /// <summary>"sqlite" or "postgres".</summary>
    string Kind { get; }

    /// <summary>
    /// Raised after a change of an instance's status was committed (created, started, suspended, finished, purged),
    /// by this process or, where the store can tell, by another one. Handlers must be quick and must not throw.
    /// </summary>
    event Action<string>? InstanceChanged;

    /// <summary>Creates or upgrades the schema (numbered migrations) and prepares the store for use.</summary>
    Task InitializeAsync(CancellationToken ct);

    /// <summary>
    /// Creates an instance with its ExecutionStarted message. An instance with the same id is replaced only when its
    /// status is in <paramref name="replaceableStatuses"/>; otherwise nothing is stored and the outcome says why.
    /// </summary>
    Task<CreateOutcome> CreateInstanceAsync(NewInstance instance, IReadOnlyCollection<P.OrchestrationStatus> replaceableStatuses, CancellationToken ct);

    /// <summary>
    /// Puts a message in an instance's inbox, visible at once. Refused (nothing stored) when there is no such instance
    /// or when it has finished, unless <paramref name="allowFinished"/> (rewind of a failed instance). A rewind message
    /// also takes the instance back to Running at once.
    /// </summary>
    Task<SendOutcome> SendAsync(string instanceId, P.HistoryEvent message, bool allowFinished, CancellationToken ct);

    /// <summary>The instance's state, or null when there is none.</summary>
    Task<InstanceRecord?> GetInstanceAsync(string instanceId, bool withPayloads, CancellationToken ct);

    /// <summary>A page of instances, newest first, with the key of its last instance when more may follow.</summary>
    Task<InstancePage> QueryInstancesAsync(InstanceFilter filter, CancellationToken ct);

    /// <summary>A page of finished instances' ids by completion time, with the key of the last one when more may follow.</summary>
    Task<InstanceIdPage> ListInstanceIdsAsync(InstanceIdFilter filter, CancellationToken ct);

    /// <summary>
    /// The history of the instance's current execution in order, or null when there is no such instance (or
    /// <paramref name="executionId"/> is given and is not the current execution).
    /// </summary>
    Task<IReadOnlyList<P.HistoryEvent>?> GetHistoryAsync(string instanceId, string? executionId, CancellationToken ct);

    /// <summary>Deletes a finished instance (and, when <paramref name="recursive"/>, its finished sub-orchestrations).</summary>
    Task<PurgeOutcome> PurgeInstanceAsync(string instanceId, bool recursive, CancellationToken ct);

    /// <summary>Deletes finished instances matching <paramref name="filter"/>, in batches, until done or <paramref name="deadline"/> (system clock).</summary>
    Task<PurgeOutcome> PurgeInstancesAsync(PurgeFilter filter, bool recursive, DateTimeOffset? deadline, CancellationToken ct);

    /// <summary>Deletes every instance, history, message and activity of the task hub (the schema stays).</summary>
    Task DeleteAllAsync(CancellationToken ct);

    /// <summary>
    /// Leases up to <paramref name="max"/> instances that have inbox messages they can take now, each with at most
    /// <paramref name="maxMessages"/> of them (oldest first). Each lease gets its own token.
    /// </summary>
    Task<IReadOnlyList<LeasedOrchestration>> LeaseOrchestrationsAsync(string owner, int max, int maxMessages, TimeSpan leaseDuration, CancellationToken ct);

    /// <summary>
    /// Commits one episode in one transaction, guarded by its lease token. Returns false, changing nothing, when the
    /// lease is no longer held (it expired and was taken over, or the instance was purged).
    /// </summary>
    Task<bool> CommitEpisodeAsync(EpisodeCommit commit, CancellationToken ct);

    /// <summary>Consumes inbox messages that cannot run (e.g. for an old execution) and ends the lease. False when the lease was lost.</summary>
    Task<bool> DiscardAsync(string instanceId, string leaseToken, IReadOnlyList<long> messageIds, CancellationToken ct);

    /// <summary>Ends an orchestration lease without changes; its messages are visible again after <paramref name="delay"/>. The reason is kept for poison reports.</summary>
    Task ReleaseOrchestrationAsync(string instanceId, string leaseToken, string reason, TimeSpan delay, CancellationToken ct);

    /// <summary>Leases up to <paramref name="max"/> visible activity work items.</summary>
    Task<IReadOnlyList<LeasedActivity>> LeaseActivitiesAsync(string owner, int max, TimeSpan leaseDuration, CancellationToken ct);

    /// <summary>
    /// Records an activity's result: when the lease is still held, the work item is deleted and the result put in its
    /// orchestration's inbox, in one transaction, so each result is recorded exactly once. False when the lease was lost.
    /// </summary>
    Task<bool> CompleteActivityAsync(ActivityResult result, CancellationToken ct);

    /// <summary>Ends an activity lease without a result; the work item is visible again after <paramref name="delay"/>.</summary>
    Task ReleaseActivityAsync(long activityId, string leaseToken, string reason, TimeSpan delay, CancellationToken ct);

    /// <summary>Extends the given leases (those still held) to now + <paramref name="leaseDuration"/>.</summary>
    Task RenewLeasesAsync(IReadOnlyCollection<string> orchestrationLeases, IReadOnlyCollection<string> activityLeases, TimeSpan leaseDuration, CancellationToken ct);

    /// <summary>Returns when work of <paramref name="kind"/> may have arrived, or after <paramref name="maxWait"/>.</summary>
    Task WaitForWorkAsync(WorkKind kind, TimeSpan maxWait, CancellationToken ct);

    /// <summary>Reachability and backlog.</summary>
    Task<StoreHealth> GetHealthAsync(CancellationToken ct);

    /// <summary>True when nothing can be handed out now and nothing is leased.</summary>
    Task<bool> IsIdleAsync(CancellationToken ct);
}
