using DurableTask.AzureStorage;
using DurableTask.Core;
using DurableTask.Core.History;

namespace Pipeline.Host.Durable;

/// <summary>
/// <see cref="AzureStorageOrchestrationService"/> as TaskHubGrpcServer's dispatchers use it, with two repairs of the
/// history the dispatcher of Microsoft.DurableTask.InProcessTestHost 0.2.3-preview.1 writes, made before an episode is
/// stored; everything else is passed through.
/// <list type="bullet">
/// <item>It records a sub-orchestration's start as its own <c>GrpcSubOrchestrationInstanceCreatedEvent</c>, a subclass
/// without <c>[DataContract]</c>, which DurableTask.AzureStorage writes as a history row without an event type and then
/// cannot read back (the parent never resumes): it becomes the plain <see cref="SubOrchestrationInstanceCreatedEvent"/>.</item>
/// <item>It leaves a failed orchestration's failure details out of its ExecutionCompleted event (they are only in the
/// status it hands over), and that event is where DurableTask.AzureStorage keeps them: they are put back.</item>
/// </list>
/// </summary>
internal sealed class AzureStorageDispatchService(AzureStorageOrchestrationService inner) : IOrchestrationService
{
    public Task CompleteTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem, OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages, IList<TaskMessage> orchestratorMessages, IList<TaskMessage> timerMessages, TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState)
    {
        Repair(workItem.OrchestrationRuntimeState, orchestrationState);
        if (!ReferenceEquals(newOrchestrationRuntimeState, workItem.OrchestrationRuntimeState)) Repair(newOrchestrationRuntimeState, orchestrationState);
        return inner.CompleteTaskOrchestrationWorkItemAsync(workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages,
            continuedAsNewMessage, orchestrationState);
    }

    /// <summary>Replaces the events in place (Events and NewEvents share the instances).</summary>
    private static void Repair(OrchestrationRuntimeState? state, OrchestrationState? status)
    {
        if (state is null) return;
        var replaced = new Dictionary<HistoryEvent, HistoryEvent>(ReferenceEqualityComparer.Instance);
        foreach (var events in new[] { state.Events, state.NewEvents })
        {
            for (var i = 0; i < events.Count; i++)
            {
                var original = events[i];
                if (!replaced.TryGetValue(original, out var repaired))
                {
                    repaired = Repaired(original, status);
                    if (repaired is null) continue;
                    replaced[original] = repaired;
                }
                events[i] = repaired;
            }
        }
    }

    /// <summary>The event to store instead of <paramref name="e"/>, or null to keep it.</summary>
    private static HistoryEvent? Repaired(HistoryEvent e, OrchestrationState? status) => e switch
    {
        SubOrchestrationInstanceCreatedEvent created when created.GetType() != typeof(SubOrchestrationInstanceCreatedEvent) => new SubOrchestrationInstanceCreatedEvent(created.EventId)
        {
            Name = created.Name,
            Version = created.Version,
            InstanceId = created.InstanceId,
            Input = created.Input,
            Timestamp = created.Timestamp,
            IsPlayed = created.IsPlayed,
        },
        ExecutionCompletedEvent { OrchestrationStatus: OrchestrationStatus.Failed, FailureDetails: null } completed when status?.FailureDetails is not null
            => new ExecutionCompletedEvent(completed.EventId, completed.Result, completed.OrchestrationStatus, status.FailureDetails)
            {
                Timestamp = completed.Timestamp,
                IsPlayed = completed.IsPlayed,
            },
        _ => null,
    };

    public Task StartAsync() => inner.StartAsync();

    public Task StopAsync() => inner.StopAsync();

    public Task StopAsync(bool isForced) => inner.StopAsync(isForced);

    public Task CreateAsync() => inner.CreateAsync();

    public Task CreateAsync(bool recreateInstanceStore) => inner.CreateAsync(recreateInstanceStore);

    public Task CreateIfNotExistsAsync() => inner.CreateIfNotExistsAsync();

    public Task DeleteAsync() => inner.DeleteAsync();

    public Task DeleteAsync(bool deleteInstanceStore) => inner.DeleteAsync(deleteInstanceStore);

    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) => inner.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);

    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => inner.GetDelayInSecondsAfterOnProcessException(exception);

    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => inner.GetDelayInSecondsAfterOnFetchException(exception);

    public int TaskOrchestrationDispatcherCount => inner.TaskOrchestrationDispatcherCount;

    public int MaxConcurrentTaskOrchestrationWorkItems => inner.MaxConcurrentTaskOrchestrationWorkItems;

    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => inner.EventBehaviourForContinueAsNew;

    public Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken)
        => inner.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);

    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => inner.RenewTaskOrchestrationWorkItemLockAsync(workItem);

    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.AbandonTaskOrchestrationWorkItemAsync(workItem);

    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.ReleaseTaskOrchestrationWorkItemAsync(workItem);

    public int TaskActivityDispatcherCount => inner.TaskActivityDispatcherCount;

    public int MaxConcurrentTaskActivityWorkItems => inner.MaxConcurrentTaskActivityWorkItems;

    public Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken)
        => inner.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);

    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => inner.RenewTaskActivityWorkItemLockAsync(workItem);

    public Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage) => inner.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);

    public Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem) => inner.AbandonTaskActivityWorkItemAsync(workItem);
}
