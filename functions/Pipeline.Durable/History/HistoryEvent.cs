using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Durable;

/// <summary>
/// One entry of an orchestration's append-only history, or a message waiting in its inbox.
/// Replaying the history through the orchestrator's code rebuilds its state.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "eventType")]
[JsonDerivedType(typeof(ExecutionStartedEvent), nameof(ExecutionStartedEvent))]
[JsonDerivedType(typeof(OrchestratorStartedEvent), nameof(OrchestratorStartedEvent))]
[JsonDerivedType(typeof(TaskScheduledEvent), nameof(TaskScheduledEvent))]
[JsonDerivedType(typeof(TaskCompletedEvent), nameof(TaskCompletedEvent))]
[JsonDerivedType(typeof(TaskFailedEvent), nameof(TaskFailedEvent))]
[JsonDerivedType(typeof(TimerCreatedEvent), nameof(TimerCreatedEvent))]
[JsonDerivedType(typeof(TimerFiredEvent), nameof(TimerFiredEvent))]
[JsonDerivedType(typeof(SubOrchestrationCreatedEvent), nameof(SubOrchestrationCreatedEvent))]
[JsonDerivedType(typeof(SubOrchestrationCompletedEvent), nameof(SubOrchestrationCompletedEvent))]
[JsonDerivedType(typeof(SubOrchestrationFailedEvent), nameof(SubOrchestrationFailedEvent))]
[JsonDerivedType(typeof(EventSentEvent), nameof(EventSentEvent))]
[JsonDerivedType(typeof(EventRaisedEvent), nameof(EventRaisedEvent))]
[JsonDerivedType(typeof(ExecutionCompletedEvent), nameof(ExecutionCompletedEvent))]
[JsonDerivedType(typeof(ExecutionTerminatedEvent), nameof(ExecutionTerminatedEvent))]
[JsonDerivedType(typeof(ExecutionSuspendedEvent), nameof(ExecutionSuspendedEvent))]
[JsonDerivedType(typeof(ExecutionResumedEvent), nameof(ExecutionResumedEvent))]
public abstract record HistoryEvent
{
    /// <summary>When the event was recorded (engine clock, UTC).</summary>
    public DateTime Timestamp { get; init; }

    /// <summary>Short kind name, as stored in the message table and shown in history.</summary>
    [JsonIgnore]
    public string Kind => GetType().Name;

    /// <summary>Serializes the event for storage.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, HistoryJson.Options);

    /// <summary>Reads a stored event.</summary>
    public static HistoryEvent FromJson(string json) => JsonSerializer.Deserialize<HistoryEvent>(json, HistoryJson.Options)!;
}

internal static class HistoryJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };
}

/// <summary>Links a sub-orchestration to the parent call waiting for it.</summary>
public sealed record ParentInstance(string InstanceId, string ExecutionId, int TaskScheduledId, string Name);

/// <summary>The instance started (first event of every execution).</summary>
public sealed record ExecutionStartedEvent(string Name, string? Input, string ExecutionId, ParentInstance? Parent = null) : HistoryEvent;

/// <summary>A step began; its timestamp is the orchestration's CurrentUtcDateTime.</summary>
public sealed record OrchestratorStartedEvent : HistoryEvent;

/// <summary>The orchestrator scheduled activity call <paramref name="EventId"/>.</summary>
public sealed record TaskScheduledEvent(int EventId, string Name, string? Input) : HistoryEvent;

/// <summary>Activity call <paramref name="TaskScheduledId"/> returned.</summary>
public sealed record TaskCompletedEvent(int TaskScheduledId, string? Result) : HistoryEvent;

/// <summary>Activity call <paramref name="TaskScheduledId"/> threw.</summary>
public sealed record TaskFailedEvent(int TaskScheduledId, TaskFailureDetails Failure) : HistoryEvent;

/// <summary>The orchestrator created durable timer <paramref name="EventId"/>.</summary>
public sealed record TimerCreatedEvent(int EventId, DateTime FireAt) : HistoryEvent;

/// <summary>Durable timer <paramref name="TimerId"/> fired.</summary>
public sealed record TimerFiredEvent(int TimerId, DateTime FireAt) : HistoryEvent;

/// <summary>The orchestrator started child instance <paramref name="InstanceId"/> as call <paramref name="EventId"/>.</summary>
public sealed record SubOrchestrationCreatedEvent(int EventId, string Name, string InstanceId, string? Input) : HistoryEvent;

/// <summary>Child call <paramref name="TaskScheduledId"/> completed.</summary>
public sealed record SubOrchestrationCompletedEvent(int TaskScheduledId, string? Result) : HistoryEvent;

/// <summary>Child call <paramref name="TaskScheduledId"/> failed or was terminated.</summary>
public sealed record SubOrchestrationFailedEvent(int TaskScheduledId, TaskFailureDetails Failure) : HistoryEvent;

/// <summary>The orchestrator sent an event to another instance.</summary>
public sealed record EventSentEvent(int EventId, string InstanceId, string Name, string? Input) : HistoryEvent;

/// <summary>An external event arrived.</summary>
public sealed record EventRaisedEvent(string Name, string? Input) : HistoryEvent;

/// <summary>The execution finished (Completed, Failed, or ContinuedAsNew is never stored: history restarts).</summary>
public sealed record ExecutionCompletedEvent(OrchestrationRuntimeStatus Status, string? Result, TaskFailureDetails? Failure) : HistoryEvent;

/// <summary>A terminate request.</summary>
public sealed record ExecutionTerminatedEvent(string? Reason) : HistoryEvent;

/// <summary>A suspend request.</summary>
public sealed record ExecutionSuspendedEvent(string? Reason) : HistoryEvent;

/// <summary>A resume request.</summary>
public sealed record ExecutionResumedEvent(string? Reason) : HistoryEvent;
