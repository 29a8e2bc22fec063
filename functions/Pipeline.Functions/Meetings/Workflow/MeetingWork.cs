namespace Pipeline.Functions.Meetings;

/// <summary>What the meeting orchestration carries across <c>ContinueAsNew</c>: the meeting and its latest pack version.</summary>
public sealed record MeetingWorkflowState(string MeetingId, int PackVersion);

/// <summary>A command to the meeting orchestration: <c>publish</c>, <c>changed</c> (the plan changed after publishing) or <c>archive</c>.</summary>
public sealed record MeetingCommand(string Kind)
{
    /// <summary>The event name commands arrive under.</summary>
    public const string EventName = "command";
}

/// <summary>One pack version of one meeting.</summary>
public sealed record PackWork(string MeetingId, int Version);

/// <summary>A written-opinion request's orchestration input.</summary>
public sealed record OpinionInput(string MeetingId, int Item, DateTime Deadline);

/// <summary>Mails about an opinion request; <paramref name="Queued"/> is the orchestration's time, stable across retries.</summary>
public sealed record OpinionWork(string MeetingId, int Item, bool Reminder, DateTime Queued);
