using Pipeline.Durable.Store;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Sidecar;

/// <summary>One episode handed to a worker: what it was given, so its completion can be applied to exactly that.</summary>
internal sealed class EpisodeContext
{
    public required LeasedOrchestration Lease { get; init; }

    /// <summary>The history the episode replays (the first <see cref="LeasedOrchestration.HistoryCount"/> events).</summary>
    public required CachedHistory History { get; init; }

    /// <summary>The episode's OrchestratorStarted time: the orchestration's CurrentUtcDateTime.</summary>
    public required DateTime EpisodeTime { get; init; }

    /// <summary>The new events sent: OrchestratorStarted, then the delivered inbox messages.</summary>
    public required IReadOnlyList<P.HistoryEvent> NewEvents { get; init; }

    /// <summary>The inbox message id of each new event (0 for OrchestratorStarted).</summary>
    public required IReadOnlyList<long> NewEventMessageIds { get; init; }

    /// <summary>Inbox messages consumed without delivery (addressed to an old execution, duplicates, wake-ups).</summary>
    public required IReadOnlyList<long> DroppedMessageIds { get; init; }

    /// <summary>The execution's ExecutionStarted event.</summary>
    public required P.ExecutionStartedEvent Start { get; init; }

    /// <summary>The request sent to the worker.</summary>
    public required P.OrchestratorRequest Request { get; init; }

    public string InstanceId => Lease.InstanceId;

    /// <summary>The parent to report completion to: from ExecutionStarted (a rewind may have moved it), else from the store.</summary>
    public ParentLink? Parent => EpisodePlanner.ParentOf(Start, Lease);
}
