using Google.Protobuf.WellKnownTypes;
using Pipeline.Durable.Store;
using P = Microsoft.DurableTask.Protobuf;
using ActionKind = Microsoft.DurableTask.Protobuf.OrchestratorAction.OrchestratorActionTypeOneofCase;
using Kind = Microsoft.DurableTask.Protobuf.HistoryEvent.EventTypeOneofCase;

namespace Pipeline.Durable.Sidecar;

/// <summary>
/// Applies a worker's <see cref="P.OrchestratorResponse"/> to the episode it answers, the way Microsoft.DurableTask
/// expects to replay it: each action appends its event with eventId = the action id (TaskScheduled, TimerCreated,
/// SubOrchestrationInstanceCreated, EventSent, ExecutionCompleted) and produces its work (an activity, a TimerFired
/// whose timerId is the action id, a child's ExecutionStarted, an EventRaised); OrchestratorCompleted closes the
/// episode. ContinueAsNew starts a new execution whose inbox holds its ExecutionStarted and the carried-over events.
/// </summary>
/// <remarks>
/// What an orchestration asked for is committed, with two exceptions a finished or replaced execution could never
/// observe: after ContinueAsNew the old execution's activities, timers and sub-orchestrations are dropped (its events to
/// other instances are still sent); after completion its timers are dropped. Activities a completing orchestration
/// scheduled still run (fire-and-forget); their results are dropped on arrival.
/// </remarks>
internal static class EpisodeCompletion
{
    public static EpisodeCommit Apply(EpisodeContext episode, P.OrchestratorResponse response)
    {
        // The chunked protocol is deprecated; refusing it is the point of reading these fields.
#pragma warning disable CS0612
        if (response.IsPartial || response.ChunkIndex is not null)
#pragma warning restore CS0612
            throw new InvalidCompletionException("The worker sent a chunked (partial) completion; this sidecar does not take the deprecated chunked protocol. " +
                "Keep each episode's actions under the gRPC message limit (fewer actions per episode, or smaller payloads).");
        if (response.RequiresHistory)
            throw new InvalidCompletionException("The worker reported that it needed the history, but the work item carried it (or asked the worker to stream it).");
        if (response.Actions.FirstOrDefault(a => a.OrchestratorActionTypeCase == ActionKind.RewindOrchestration) is { } rewind)
            return Rewind(episode, rewind.RewindOrchestration, response);

        var time = episode.EpisodeTime;
        var processed = ProcessedCount(episode, response);
        var history = new List<P.HistoryEvent>(processed + response.Actions.Count + 1);
        for (var i = 0; i < processed; i++) history.Add(episode.NewEvents[i]);
        var consumed = new List<long>(episode.DroppedMessageIds);
        for (var i = 1; i < processed; i++) consumed.Add(episode.NewEventMessageIds[i]);

        var state = new Outcome(episode);
        foreach (var action in response.Actions)
        {
            if (state.Finished || state.ContinuedAsNew) break; // nothing an orchestration does after it ends can be observed
            ApplyAction(episode, action, time, history, state);
        }

        var status = state.Status ?? StatusAfter(episode.Lease.Status, history);
        var common = new EpisodeCommit
        {
            InstanceId = episode.InstanceId,
            LeaseToken = episode.Lease.LeaseToken,
            ExecutionId = episode.Lease.ExecutionId,
            ExpectedHistoryCount = episode.Lease.HistoryCount,
            ConsumedMessageIds = consumed,
            History = history,
            Status = status,
            CustomStatus = response.CustomStatus,
            EpisodeTime = time,
        };
        if (state.ContinuedAsNew)
        {
            // The new execution starts empty; its ExecutionStarted and carried-over events wait in its inbox, so the next
            // episode delivers them like any start. Events the orchestration sent itself go along (they target the instance).
            var newExecutionId = state.NewStart!.ExecutionStarted.OrchestrationInstance.ExecutionId;
            var messages = new List<OutboundMessage> { new(episode.InstanceId, newExecutionId, state.NewStart) };
            messages.AddRange(state.Carryover.Select(e => new OutboundMessage(episode.InstanceId, newExecutionId, e)));
            messages.AddRange(state.Messages.Where(m => m.VisibleAt is null && m.Event.EventTypeCase != Kind.TimerFired));
            return common with
            {
                History = [],
                NewExecutionId = newExecutionId,
                NewInput = state.NewStart.ExecutionStarted.Input,
                Status = P.OrchestrationStatus.Running,
                Messages = messages,
            };
        }
        history.Add(HistoryEvents.OrchestratorCompleted(time));
        return common with
        {
            Output = state.Output,
            Failure = state.Failure,
            Activities = state.Activities,
            Children = state.Children,
            Messages = state.Messages,
        };
    }

    /// <summary>How many of the new events the worker processed (numEventsProcessed; all when absent). The rest go back
    /// to the inbox for the next episode.</summary>
    private static int ProcessedCount(EpisodeContext episode, P.OrchestratorResponse response)
    {
        var total = episode.NewEvents.Count;
        if (response.NumEventsProcessed is not { } reported) return total;
        if (reported < 1 || reported > total)
            throw new InvalidCompletionException($"numEventsProcessed is {reported}, but the work item had {total} new events (OrchestratorStarted included).");
        for (var i = reported; i < total; i++)
        {
            if (episode.NewEvents[i].EventTypeCase == Kind.ExecutionStarted)
                throw new InvalidCompletionException("numEventsProcessed leaves ExecutionStarted unprocessed: an episode cannot run without its start.");
        }
        return reported;
    }

    private static void ApplyAction(EpisodeContext episode, P.OrchestratorAction action, DateTime time, List<P.HistoryEvent> history, Outcome state)
    {
        var at = Timestamp.FromDateTime(time);
        var instance = new P.OrchestrationInstance { InstanceId = episode.InstanceId, ExecutionId = episode.Lease.ExecutionId };
        switch (action.OrchestratorActionTypeCase)
        {
            case ActionKind.ScheduleTask:
            {
                var task = action.ScheduleTask;
                if (string.IsNullOrEmpty(task.Name)) throw new InvalidCompletionException($"Action {action.Id} schedules an activity without a name.");
                var scheduled = new P.TaskScheduledEvent { Name = task.Name, Version = task.Version, Input = task.Input, ParentTraceContext = task.ParentTraceContext };
                scheduled.Tags.Add(task.Tags);
                history.Add(new P.HistoryEvent { EventId = action.Id, Timestamp = at, TaskScheduled = scheduled });
                var request = new P.ActivityRequest
                {
                    Name = task.Name, Version = task.Version, Input = task.Input, OrchestrationInstance = instance, TaskId = action.Id,
                    ParentTraceContext = task.ParentTraceContext,
                };
                request.Tags.Add(task.Tags);
                state.Activities.Add(new NewActivity(action.Id, request));
                break;
            }
            case ActionKind.CreateTimer:
            {
                var fireAt = action.CreateTimer.FireAt ?? throw new InvalidCompletionException($"Timer action {action.Id} has no fireAt.");
                history.Add(new P.HistoryEvent { EventId = action.Id, Timestamp = at, TimerCreated = new P.TimerCreatedEvent { FireAt = fireAt } });
                var fired = new P.HistoryEvent { EventId = -1, Timestamp = fireAt, TimerFired = new P.TimerFiredEvent { FireAt = fireAt, TimerId = action.Id } };
                state.Messages.Add(new OutboundMessage(episode.InstanceId, episode.Lease.ExecutionId, fired, fireAt.ToDateTime()));
                break;
            }
            case ActionKind.CreateSubOrchestration:
                CreateChild(episode, action, at, history, state);
                break;
            case ActionKind.SendEvent:
            {
                var send = action.SendEvent;
                if (string.IsNullOrEmpty(send.Instance?.InstanceId)) throw new InvalidCompletionException($"Send-event action {action.Id} names no target instance.");
                var sent = new P.EventSentEvent { InstanceId = send.Instance.InstanceId, Name = send.Name, Input = send.Data };
                history.Add(new P.HistoryEvent { EventId = action.Id, Timestamp = at, EventSent = sent });
                state.Messages.Add(new OutboundMessage(send.Instance.InstanceId, null, HistoryEvents.EventRaised(time, send.Name, send.Data)));
                break;
            }
            case ActionKind.TerminateOrchestration:
            {
                var terminate = action.TerminateOrchestration;
                state.Messages.Add(new OutboundMessage(terminate.InstanceId, null, HistoryEvents.ExecutionTerminated(time, terminate.Reason, terminate.Recurse)));
                break;
            }
            case ActionKind.CompleteOrchestration:
                Complete(episode, action, time, history, state);
                break;
            case ActionKind.SendEntityMessage:
                throw new InvalidCompletionException("The orchestration used a durable entity; this sidecar has no entity support.");
            default:
                throw new InvalidCompletionException($"Action {action.Id} is of a kind this sidecar does not know ({action.OrchestratorActionTypeCase}).");
        }
    }

    private static void CreateChild(EpisodeContext episode, P.OrchestratorAction action, Timestamp at, List<P.HistoryEvent> history, Outcome state)
    {
        var create = action.CreateSubOrchestration;
        // The SDK names children with NewGuid; a worker that does not gets an id unique to this execution and action.
        var childId = string.IsNullOrEmpty(create.InstanceId) ? $"{episode.InstanceId}:{episode.Lease.ExecutionId}:{action.Id}" : create.InstanceId;
        var created = new P.SubOrchestrationInstanceCreatedEvent
        {
            InstanceId = childId, Name = create.Name, Version = create.Version, Input = create.Input, ParentTraceContext = create.ParentTraceContext,
        };
        created.Tags.Add(create.Tags);
        history.Add(new P.HistoryEvent { EventId = action.Id, Timestamp = at, SubOrchestrationInstanceCreated = created });

        var executionId = Guid.NewGuid().ToString("N");
        var started = new P.ExecutionStartedEvent
        {
            Name = create.Name,
            Version = create.Version,
            Input = create.Input,
            OrchestrationInstance = new P.OrchestrationInstance { InstanceId = childId, ExecutionId = executionId },
            ParentInstance = new P.ParentInstanceInfo
            {
                TaskScheduledId = action.Id,
                Name = episode.Start.Name,
                Version = episode.Start.Version,
                OrchestrationInstance = new P.OrchestrationInstance { InstanceId = episode.InstanceId, ExecutionId = episode.Lease.ExecutionId },
            },
            ParentTraceContext = create.ParentTraceContext,
        };
        started.Tags.Add(create.Tags);
        var child = new NewInstance(childId, executionId, create.Name, create.Version, create.Input,
            new ParentLink(episode.InstanceId, episode.Lease.ExecutionId, action.Id), null,
            new P.HistoryEvent { EventId = -1, Timestamp = at, ExecutionStarted = started });
        var taken = HistoryEvents.SubOrchestrationFailed(at.ToDateTime(), action.Id, HistoryEvents.Failure("Pipeline.Durable.OrchestrationAlreadyExists",
            $"A sub-orchestration could not be started: an orchestration with instance id '{childId}' already exists. Instance ids must be unique; an existing instance is never replaced by a sub-orchestration."));
        state.Children.Add(new NewChild(child, taken));
    }

    private static void Complete(EpisodeContext episode, P.OrchestratorAction action, DateTime time, List<P.HistoryEvent> history, Outcome state)
    {
        var complete = action.CompleteOrchestration;
        if (complete.OrchestrationStatus == P.OrchestrationStatus.ContinuedAsNew)
        {
            var start = episode.Start;
            var started = new P.ExecutionStartedEvent
            {
                Name = start.Name,
                Version = complete.NewVersion ?? start.Version,
                Input = complete.Result,
                OrchestrationInstance = new P.OrchestrationInstance { InstanceId = episode.InstanceId, ExecutionId = Guid.NewGuid().ToString("N") },
                ParentInstance = start.ParentInstance,
                ParentTraceContext = start.ParentTraceContext,
            };
            started.Tags.Add(start.Tags);
            state.NewStart = new P.HistoryEvent { EventId = -1, Timestamp = Timestamp.FromDateTime(time), ExecutionStarted = started };
            state.Carryover.AddRange(complete.CarryoverEvents);
            state.ContinuedAsNew = true;
            return;
        }
        if (complete.OrchestrationStatus is not (P.OrchestrationStatus.Completed or P.OrchestrationStatus.Failed or P.OrchestrationStatus.Terminated))
            throw new InvalidCompletionException($"Action {action.Id} completes the orchestration with status {complete.OrchestrationStatus}, which is not a final status.");

        history.Add(HistoryEvents.ExecutionCompleted(action.Id, time, complete.OrchestrationStatus, complete.Result, complete.FailureDetails));
        state.Finished = true;
        state.Status = complete.OrchestrationStatus;
        state.Output = complete.Result;
        state.Failure = complete.FailureDetails;
        // A finished instance's timers can never fire into anything.
        state.Messages.RemoveAll(m => m.InstanceId == episode.InstanceId && m.Event.EventTypeCase == Kind.TimerFired);
        if (episode.Parent is not { } parent) return;
        var report = complete.OrchestrationStatus == P.OrchestrationStatus.Completed
            ? HistoryEvents.SubOrchestrationCompleted(time, parent.TaskScheduledId, complete.Result)
            : HistoryEvents.SubOrchestrationFailed(time, parent.TaskScheduledId, complete.FailureDetails
                ?? HistoryEvents.Failure("Pipeline.Durable.OrchestrationTerminated", $"The sub-orchestration '{episode.InstanceId}' was terminated: {complete.Result}"));
        state.Messages.Add(new OutboundMessage(parent.InstanceId, parent.ExecutionId, report));
    }

    /// <summary>Suspend and resume events decide the status of an instance that has not finished.</summary>
    private static P.OrchestrationStatus StatusAfter(P.OrchestrationStatus before, List<P.HistoryEvent> history)
    {
        var status = before == P.OrchestrationStatus.Pending ? P.OrchestrationStatus.Running : before;
        foreach (var e in history)
        {
            if (e.EventTypeCase == Kind.ExecutionSuspended) status = P.OrchestrationStatus.Suspended;
            else if (e.EventTypeCase == Kind.ExecutionResumed) status = P.OrchestrationStatus.Running;
        }
        return status;
    }

    /// <summary>
    /// A rewind: the worker sends the whole new history (failed tasks and the ExecutionCompleted removed, a new execution
    /// id in ExecutionStarted). It replaces the old one, the instance runs again, and each failed sub-orchestration is
    /// rewound too so that it reports to the new execution.
    /// </summary>
    private static EpisodeCommit Rewind(EpisodeContext episode, P.RewindOrchestrationAction rewind, P.OrchestratorResponse response)
    {
        var started = rewind.NewHistory.FirstOrDefault(e => e.EventTypeCase == Kind.ExecutionStarted)?.ExecutionStarted
            ?? throw new InvalidCompletionException("The rewound history has no ExecutionStarted event.");
        var newExecutionId = started.OrchestrationInstance?.ExecutionId;
        if (string.IsNullOrEmpty(newExecutionId)) throw new InvalidCompletionException("The rewound history's ExecutionStarted has no execution id.");
        var reason = episode.NewEvents.FirstOrDefault(e => e.EventTypeCase == Kind.ExecutionRewound)?.ExecutionRewound.Reason;
        var time = episode.EpisodeTime;

        var messages = new List<OutboundMessage> { new(episode.InstanceId, newExecutionId, HistoryEvents.Wake(time)) };
        foreach (var childId in FailedChildren(episode.History.Events.Take(episode.Lease.HistoryCount)))
        {
            var rewound = new P.ExecutionRewoundEvent { Reason = reason, ParentExecutionId = newExecutionId, InstanceId = childId };
            messages.Add(new OutboundMessage(childId, null, new P.HistoryEvent { EventId = -1, Timestamp = Timestamp.FromDateTime(time), ExecutionRewound = rewound }));
        }
        return new EpisodeCommit
        {
            InstanceId = episode.InstanceId,
            LeaseToken = episode.Lease.LeaseToken,
            ExecutionId = episode.Lease.ExecutionId,
            ExpectedHistoryCount = episode.Lease.HistoryCount,
            ConsumedMessageIds = [.. episode.DroppedMessageIds, .. episode.NewEventMessageIds.Skip(1)],
            History = rewind.NewHistory,
            NewExecutionId = newExecutionId,
            Status = P.OrchestrationStatus.Running,
            CustomStatus = response.CustomStatus,
            EpisodeTime = time,
            Messages = messages,
        };
    }

    private static IEnumerable<string> FailedChildren(IEnumerable<P.HistoryEvent> history)
    {
        var created = new Dictionary<int, string>();
        var failed = new List<int>();
        foreach (var e in history)
        {
            if (e.EventTypeCase == Kind.SubOrchestrationInstanceCreated) created[e.EventId] = e.SubOrchestrationInstanceCreated.InstanceId;
            else if (e.EventTypeCase == Kind.SubOrchestrationInstanceFailed) failed.Add(e.SubOrchestrationInstanceFailed.TaskScheduledId);
        }
        return failed.Where(created.ContainsKey).Select(id => created[id]).Distinct();
    }

    /// <summary>What the actions decided, accumulated in order.</summary>
    private sealed class Outcome(EpisodeContext episode)
    {
        public EpisodeContext Episode { get; } = episode;
        public bool Finished { get; set; }
        public bool ContinuedAsNew { get; set; }
        public P.OrchestrationStatus? Status { get; set; }
        public string? Output { get; set; }
        public P.TaskFailureDetails? Failure { get; set; }
        public P.HistoryEvent? NewStart { get; set; }
        public List<P.HistoryEvent> Carryover { get; } = [];
        public List<NewActivity> Activities { get; } = [];
        public List<NewChild> Children { get; } = [];
        public List<OutboundMessage> Messages { get; } = [];
    }
}

/// <summary>A worker's completion that cannot be applied; the message says why (it is recorded for poison reports).</summary>
internal sealed class InvalidCompletionException(string message) : Exception(message);
