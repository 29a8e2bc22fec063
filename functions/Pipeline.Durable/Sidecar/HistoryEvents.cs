using Google.Protobuf.WellKnownTypes;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Sidecar;

/// <summary>Constructors for the protobuf history events the sidecar writes itself.</summary>
internal static class HistoryEvents
{
    /// <summary>The marker of an inbox message that only wakes an instance (after a rewind); it is never delivered.</summary>
    public const string WakeMarker = "pipeline.durable/wake";

    public static P.HistoryEvent OrchestratorStarted(DateTime time)
        => new() { EventId = -1, Timestamp = Timestamp.FromDateTime(time), OrchestratorStarted = new P.OrchestratorStartedEvent() };

    public static P.HistoryEvent OrchestratorCompleted(DateTime time)
        => new() { EventId = -1, Timestamp = Timestamp.FromDateTime(time), OrchestratorCompleted = new P.OrchestratorCompletedEvent() };

    public static P.HistoryEvent ExecutionCompleted(int eventId, DateTime time, P.OrchestrationStatus status, string? result, P.TaskFailureDetails? failure)
    {
        var completed = new P.ExecutionCompletedEvent { OrchestrationStatus = status, FailureDetails = failure };
        if (result is not null) completed.Result = result;
        return new P.HistoryEvent { EventId = eventId, Timestamp = Timestamp.FromDateTime(time), ExecutionCompleted = completed };
    }

    public static P.HistoryEvent ExecutionTerminated(DateTime time, string? reason, bool recurse)
    {
        var terminated = new P.ExecutionTerminatedEvent { Recurse = recurse };
        if (reason is not null) terminated.Input = reason;
        return new P.HistoryEvent { EventId = -1, Timestamp = Timestamp.FromDateTime(time), ExecutionTerminated = terminated };
    }

    public static P.HistoryEvent EventRaised(DateTime time, string name, string? input)
    {
        var raised = new P.EventRaisedEvent { Name = name };
        if (input is not null) raised.Input = input;
        return new P.HistoryEvent { EventId = -1, Timestamp = Timestamp.FromDateTime(time), EventRaised = raised };
    }

    public static P.HistoryEvent TaskCompleted(DateTime time, int taskScheduledId, string? result)
    {
        var completed = new P.TaskCompletedEvent { TaskScheduledId = taskScheduledId };
        if (result is not null) completed.Result = result;
        return new P.HistoryEvent { EventId = -1, Timestamp = Timestamp.FromDateTime(time), TaskCompleted = completed };
    }

    public static P.HistoryEvent TaskFailed(DateTime time, int taskScheduledId, P.TaskFailureDetails failure)
        => new() { EventId = -1, Timestamp = Timestamp.FromDateTime(time), TaskFailed = new P.TaskFailedEvent { TaskScheduledId = taskScheduledId, FailureDetails = failure } };

    public static P.HistoryEvent SubOrchestrationCompleted(DateTime time, int taskScheduledId, string? result)
    {
        var completed = new P.SubOrchestrationInstanceCompletedEvent { TaskScheduledId = taskScheduledId };
        if (result is not null) completed.Result = result;
        return new P.HistoryEvent { EventId = -1, Timestamp = Timestamp.FromDateTime(time), SubOrchestrationInstanceCompleted = completed };
    }

    public static P.HistoryEvent SubOrchestrationFailed(DateTime time, int taskScheduledId, P.TaskFailureDetails failure)
        => new()
        {
            EventId = -1,
            Timestamp = Timestamp.FromDateTime(time),
            SubOrchestrationInstanceFailed = new P.SubOrchestrationInstanceFailedEvent { TaskScheduledId = taskScheduledId, FailureDetails = failure },
        };

    public static P.HistoryEvent Wake(DateTime time)
        => new() { EventId = -1, Timestamp = Timestamp.FromDateTime(time), GenericEvent = new P.GenericEvent { Data = WakeMarker } };

    public static bool IsWake(P.HistoryEvent e) => e.EventTypeCase == P.HistoryEvent.EventTypeOneofCase.GenericEvent && e.GenericEvent.Data == WakeMarker;

    public static P.TaskFailureDetails Failure(string errorType, string message, bool nonRetriable = true)
        => new() { ErrorType = errorType, ErrorMessage = message, IsNonRetriable = nonRetriable };
}
