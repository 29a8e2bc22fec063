using Pipeline.Durable.Store;
using P = Microsoft.DurableTask.Protobuf;
using Kind = Microsoft.DurableTask.Protobuf.HistoryEvent.EventTypeOneofCase;

namespace Pipeline.Durable.Sidecar;

/// <summary>What the sidecar does with a leased instance.</summary>
internal abstract record EpisodePlan;

/// <summary>Hand the episode to a worker.</summary>
internal sealed record RunOnWorker(EpisodeContext Context) : EpisodePlan;

/// <summary>Commit without a worker (termination, a poisoned work item).</summary>
internal sealed record CommitWithoutWorker(EpisodeCommit Commit, string What) : EpisodePlan;

/// <summary>Nothing to run: consume these messages and end the lease.</summary>
internal sealed record DiscardOnly(IReadOnlyList<long> MessageIds, string Why) : EpisodePlan;

/// <summary>
/// Turns a leased instance and its history into an episode, following the conventions Microsoft.DurableTask replays
/// with: newEvents start with OrchestratorStarted, whose timestamp is the orchestration's CurrentUtcDateTime, then the
/// inbox messages with ExecutionStarted first. Termination and poisoned work items are decided here, without a worker.
/// </summary>
internal static class EpisodePlanner
{
    /// <summary>The smallest step between two episodes' times: NewGuid hashes CurrentUtcDateTime, so two episodes of
    /// one instance (even across ContinueAsNew) must never share it, or sub-orchestration ids would repeat.</summary>
    private static readonly TimeSpan MinStep = TimeSpan.FromTicks(10);

    public static EpisodePlan Plan(LeasedOrchestration lease, CachedHistory history, DurableSidecarOptions options, bool streamHistory)
    {
        var episodeTime = lease.LastEpisodeAt is { } last && lease.Now <= last ? last + MinStep : lease.Now;
        var startInHistory = history.Events.FirstOrDefault(e => e.EventTypeCase == Kind.ExecutionStarted)?.ExecutionStarted;

        // Sort and filter the inbox: ExecutionStarted first, messages for another execution and duplicates dropped.
        var dropped = new List<long>();
        var delivered = new List<InboxMessage>(lease.Messages.Count);
        InboxMessage? started = null;
        long bytes = 0;
        foreach (var message in lease.Messages)
        {
            // Past the byte budget the rest stay in the inbox for the next episode (never the first message: it goes alone).
            bytes += message.Event.CalculateSize();
            if (bytes > options.MaxNewEventBytesPerEpisode && (delivered.Count > 0 || started is not null)) break;
            if (message.ExecutionId is not null && message.ExecutionId != lease.ExecutionId) dropped.Add(message.Id);
            else if (HistoryEvents.IsWake(message.Event)) dropped.Add(message.Id);
            else if (message.Event.EventTypeCase == Kind.ExecutionStarted)
            {
                if (startInHistory is null && started is null) started = message;
                else dropped.Add(message.Id);
            }
            else delivered.Add(message);
        }
        if (started is not null) delivered.Insert(0, started);
        var start = startInHistory ?? started?.Event.ExecutionStarted;
        var woken = lease.Messages.Any(m => HistoryEvents.IsWake(m.Event) && dropped.Contains(m.Id));

        // Termination wins over everything else in the inbox, however far back it is.
        if (lease.Messages.FirstOrDefault(m => m.Event.EventTypeCase == Kind.ExecutionTerminated) is { } terminate)
            return new CommitWithoutWorker(Terminate(lease, history.Events, episodeTime, start, started, terminate), "termination");
        if (start is null)
            return new DiscardOnly([.. lease.Messages.Select(m => m.Id)], "the instance has no ExecutionStarted event to run from");
        if (lease.Attempts > options.MaxAttempts)
            return new CommitWithoutWorker(Poison(lease, episodeTime, start, started, options.MaxAttempts), "poisoned work item");
        if (delivered.Count == 0 && !woken)
            return new DiscardOnly(dropped, "none of its messages is for the current execution");

        var newEvents = new List<P.HistoryEvent>(delivered.Count + 1) { HistoryEvents.OrchestratorStarted(episodeTime) };
        var ids = new List<long>(delivered.Count + 1) { 0 };
        foreach (var message in delivered)
        {
            newEvents.Add(message.Event);
            ids.Add(message.Id);
        }
        var request = new P.OrchestratorRequest { InstanceId = lease.InstanceId, ExecutionId = lease.ExecutionId };
        request.NewEvents.AddRange(newEvents);
        // A large history is streamed by the worker (StreamInstanceHistory) instead of riding in the work item, which
        // keeps every gRPC message under the default 4 MB limit. A rewind needs it inline (the SDK reads it from there
        // only when streaming is asked for anyway).
        if (streamHistory && history.Bytes > options.HistoryStreamingThresholdBytes) request.RequiresHistoryStreaming = true;
        else request.PastEvents.AddRange(history.Events);

        return new RunOnWorker(new EpisodeContext
        {
            Lease = lease,
            History = history,
            EpisodeTime = episodeTime,
            NewEvents = newEvents,
            NewEventMessageIds = ids,
            DroppedMessageIds = dropped,
            Start = start,
            Request = request,
        });
    }

    /// <summary>The parent to report to: from ExecutionStarted (kept current by rewinds), else the store's record.</summary>
    public static ParentLink? ParentOf(P.ExecutionStartedEvent? start, LeasedOrchestration lease)
    {
        var parent = start?.ParentInstance;
        if (parent?.OrchestrationInstance is { } instance && !string.IsNullOrEmpty(instance.InstanceId))
            return new ParentLink(instance.InstanceId, instance.ExecutionId ?? lease.Parent?.ExecutionId ?? "", parent.TaskScheduledId);
        return lease.Parent;
    }

    /// <summary>
    /// Termination is decided by the sidecar, not the worker: it works for an instance that never started, one whose
    /// worker is gone, and one whose work item keeps failing. History records it as an episode of its own.
    /// </summary>
    private static EpisodeCommit Terminate(LeasedOrchestration lease, IReadOnlyList<P.HistoryEvent> past, DateTime time, P.ExecutionStartedEvent? start, InboxMessage? started,
        InboxMessage terminate)
    {
        var reason = terminate.Event.ExecutionTerminated.Input;
        var history = new List<P.HistoryEvent> { HistoryEvents.OrchestratorStarted(time) };
        if (started is not null) history.Add(started.Event);
        history.Add(terminate.Event);
        history.Add(HistoryEvents.ExecutionCompleted(-1, time, P.OrchestrationStatus.Terminated, reason, null));
        history.Add(HistoryEvents.OrchestratorCompleted(time));

        var messages = new List<OutboundMessage>();
        if (ParentOf(start, lease) is { } parent)
        {
            var failure = HistoryEvents.Failure("Pipeline.Durable.OrchestrationTerminated",
                $"The sub-orchestration '{lease.InstanceId}' was terminated{(string.IsNullOrEmpty(reason) ? "." : ": " + reason)}");
            messages.Add(new OutboundMessage(parent.InstanceId, parent.ExecutionId, HistoryEvents.SubOrchestrationFailed(time, parent.TaskScheduledId, failure)));
        }
        if (terminate.Event.ExecutionTerminated.Recurse)
        {
            // The current execution's sub-orchestrations that have not reported back yet; finished ones drop the message.
            foreach (var childId in RunningChildren(past))
                messages.Add(new OutboundMessage(childId, null, HistoryEvents.ExecutionTerminated(time, reason, recurse: true)));
        }
        return new EpisodeCommit
        {
            InstanceId = lease.InstanceId,
            LeaseToken = lease.LeaseToken,
            ExecutionId = lease.ExecutionId,
            ExpectedHistoryCount = lease.HistoryCount,
            ConsumedMessageIds = [.. lease.Messages.Select(m => m.Id)],
            History = history,
            Status = P.OrchestrationStatus.Terminated,
            Output = reason,
            KeepCustomStatus = true,
            EpisodeTime = time,
            Terminated = true,
            Messages = messages,
        };
    }

    private static EpisodeCommit Poison(LeasedOrchestration lease, DateTime time, P.ExecutionStartedEvent start, InboxMessage? started, int maxAttempts)
    {
        var failure = HistoryEvents.Failure("Pipeline.Durable.PoisonWorkItem",
            $"The orchestration's work item was handed out {maxAttempts} times without being completed; the last time: {lease.LastError ?? "no reason was recorded"}");
        var history = new List<P.HistoryEvent> { HistoryEvents.OrchestratorStarted(time) };
        if (started is not null) history.Add(started.Event);
        history.Add(HistoryEvents.ExecutionCompleted(-1, time, P.OrchestrationStatus.Failed, null, failure));
        history.Add(HistoryEvents.OrchestratorCompleted(time));
        var messages = new List<OutboundMessage>();
        if (ParentOf(start, lease) is { } parent)
            messages.Add(new OutboundMessage(parent.InstanceId, parent.ExecutionId, HistoryEvents.SubOrchestrationFailed(time, parent.TaskScheduledId, failure)));
        return new EpisodeCommit
        {
            InstanceId = lease.InstanceId,
            LeaseToken = lease.LeaseToken,
            ExecutionId = lease.ExecutionId,
            ExpectedHistoryCount = lease.HistoryCount,
            ConsumedMessageIds = [.. lease.Messages.Select(m => m.Id)],
            History = history,
            Status = P.OrchestrationStatus.Failed,
            Failure = failure,
            KeepCustomStatus = true,
            EpisodeTime = time,
            Messages = messages,
        };
    }

    /// <summary>Sub-orchestrations created in <paramref name="history"/> that have not reported back in it.</summary>
    private static IEnumerable<string> RunningChildren(IReadOnlyList<P.HistoryEvent> history)
    {
        var created = new Dictionary<int, string>();
        foreach (var e in history)
        {
            switch (e.EventTypeCase)
            {
                case Kind.SubOrchestrationInstanceCreated: created[e.EventId] = e.SubOrchestrationInstanceCreated.InstanceId; break;
                case Kind.SubOrchestrationInstanceCompleted: created.Remove(e.SubOrchestrationInstanceCompleted.TaskScheduledId); break;
                case Kind.SubOrchestrationInstanceFailed: created.Remove(e.SubOrchestrationInstanceFailed.TaskScheduledId); break;
            }
        }
        return created.Values;
    }
}
