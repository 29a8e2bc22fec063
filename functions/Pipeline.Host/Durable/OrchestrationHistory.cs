using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Host.Durable;

/// <summary>What the bridge reads from an orchestration work item's history.</summary>
internal static class OrchestrationHistory
{
    /// <summary>The orchestration's name (from its ExecutionStarted event), or an empty string.</summary>
    public static string NameOf(P.OrchestratorRequest request)
        => request.PastEvents.Concat(request.NewEvents).FirstOrDefault(e => e.EventTypeCase == P.HistoryEvent.EventTypeOneofCase.ExecutionStarted)
            ?.ExecutionStarted.Name ?? "";

    /// <summary>A response that fails the orchestration with <paramref name="message"/>.</summary>
    public static P.OrchestratorResponse Failed(P.OrchestratorRequest request, string errorType, string message, string? stackTrace = null)
    {
        var failure = new P.TaskFailureDetails { ErrorType = errorType, ErrorMessage = message, IsNonRetriable = true };
        if (!string.IsNullOrEmpty(stackTrace)) failure.StackTrace = stackTrace;
        return new P.OrchestratorResponse
        {
            InstanceId = request.InstanceId,
            Actions =
            {
                new P.OrchestratorAction
                {
                    Id = -1,
                    CompleteOrchestration = new P.CompleteOrchestrationAction
                    {
                        OrchestrationStatus = P.OrchestrationStatus.Failed,
                        Result = message,
                        FailureDetails = failure,
                    },
                },
            },
        };
    }

    /// <summary>
    /// True when, after this episode, the orchestration has nothing durable outstanding: no activity, timer or
    /// sub-orchestration without its result, none scheduled now, not suspended, not finished. Such an orchestration
    /// is waiting for an external event, or for a task that is not durable (which never wakes it).
    /// </summary>
    public static bool IsIdleWithNothingOutstanding(P.OrchestratorRequest request, P.OrchestratorResponse response)
    {
        foreach (var action in response.Actions)
        {
            switch (action.OrchestratorActionTypeCase)
            {
                case P.OrchestratorAction.OrchestratorActionTypeOneofCase.ScheduleTask:
                case P.OrchestratorAction.OrchestratorActionTypeOneofCase.CreateTimer:
                case P.OrchestratorAction.OrchestratorActionTypeOneofCase.CreateSubOrchestration:
                case P.OrchestratorAction.OrchestratorActionTypeOneofCase.CompleteOrchestration:
                case P.OrchestratorAction.OrchestratorActionTypeOneofCase.SendEntityMessage:
                    return false;
            }
        }
        var tasks = new HashSet<int>();
        var timers = new HashSet<int>();
        var children = new HashSet<int>();
        var suspended = false;
        foreach (var e in request.PastEvents.Concat(request.NewEvents))
        {
            switch (e.EventTypeCase)
            {
                case P.HistoryEvent.EventTypeOneofCase.ExecutionStarted: tasks.Clear(); timers.Clear(); children.Clear(); break;
                case P.HistoryEvent.EventTypeOneofCase.TaskScheduled: tasks.Add(e.EventId); break;
                case P.HistoryEvent.EventTypeOneofCase.TaskCompleted: tasks.Remove(e.TaskCompleted.TaskScheduledId); break;
                case P.HistoryEvent.EventTypeOneofCase.TaskFailed: tasks.Remove(e.TaskFailed.TaskScheduledId); break;
                case P.HistoryEvent.EventTypeOneofCase.TimerCreated: timers.Add(e.EventId); break;
                case P.HistoryEvent.EventTypeOneofCase.TimerFired: timers.Remove(e.TimerFired.TimerId); break;
                case P.HistoryEvent.EventTypeOneofCase.SubOrchestrationInstanceCreated: children.Add(e.EventId); break;
                case P.HistoryEvent.EventTypeOneofCase.SubOrchestrationInstanceCompleted: children.Remove(e.SubOrchestrationInstanceCompleted.TaskScheduledId); break;
                case P.HistoryEvent.EventTypeOneofCase.SubOrchestrationInstanceFailed: children.Remove(e.SubOrchestrationInstanceFailed.TaskScheduledId); break;
                case P.HistoryEvent.EventTypeOneofCase.ExecutionSuspended: suspended = true; break;
                case P.HistoryEvent.EventTypeOneofCase.ExecutionResumed: suspended = false; break;
                case P.HistoryEvent.EventTypeOneofCase.ExecutionCompleted:
                case P.HistoryEvent.EventTypeOneofCase.ExecutionTerminated:
                    return false;
            }
        }
        return !suspended && tasks.Count == 0 && timers.Count == 0 && children.Count == 0;
    }
}
