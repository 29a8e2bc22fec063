using System.Text.Json;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// What the meeting orchestration carries across <c>ContinueAsNew</c>: the meeting, its latest pack version (as the
/// store last said), how many command events it has taken (acted on or not), and why the last one was ignored or
/// failed — all shown in the custom status while it waits.
/// </summary>
public sealed record MeetingWorkflowState(string MeetingId, int PackVersion, string? LastError = null, int Handled = 0, string? LastIgnored = null);

/// <summary>A command to the meeting orchestration: <c>publish</c>, <c>changed</c> (the plan changed after publishing) or <c>archive</c>.</summary>
public sealed record MeetingCommand(string Kind)
{
    /// <summary>The event name commands arrive under.</summary>
    public const string EventName = "command";

    /// <summary>The kinds a command can have.</summary>
    public static readonly IReadOnlySet<string> Kinds = new HashSet<string>(StringComparer.Ordinal) { "publish", "changed", "archive" };

    /// <summary>
    /// The kind of a raised command, or null when the payload is not a command (not an object, no string
    /// <c>kind</c>, an unknown kind). Pure, so the orchestrator can call it while replaying.
    /// </summary>
    public static string? KindOf(JsonElement? payload)
    {
        if (payload is not { ValueKind: JsonValueKind.Object } body) return null;
        foreach (var property in body.EnumerateObject())
        {
            if (!string.Equals(property.Name, "kind", StringComparison.OrdinalIgnoreCase)) continue;
            return property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() is { } kind && Kinds.Contains(kind) ? kind : null;
        }
        return null;
    }
}

/// <summary>What a command claims, for <see cref="CheckMeetingCommand"/> to check against the store.</summary>
/// <param name="MeetingId">The meeting the orchestration runs.</param>
/// <param name="InstanceId">The orchestration's instance (must be the meeting's own).</param>
/// <param name="Kind">The command's kind (<see cref="MeetingCommand.Kinds"/>).</param>
public sealed record MeetingCommandClaim(string MeetingId, string InstanceId, string Kind);

/// <summary>What the store backs, as <see cref="CheckMeetingCommand"/> found it.</summary>
/// <param name="Action"><c>build</c> (a new pack version), <c>archive</c>, <c>ignore</c> (the store does not back the command) or <c>end</c> (no such meeting for this instance).</param>
/// <param name="Version">For <c>build</c>, the version to build.</param>
/// <param name="PackVersion">The meeting's current pack version in the store.</param>
/// <param name="Reason">Why a command is ignored, for the log and custom status.</param>
public sealed record MeetingCommandDecision(string Action, int Version, int PackVersion, string? Reason)
{
    /// <summary>Build pack <c>Version</c> and tell the participants.</summary>
    public const string Build = "build";

    /// <summary>Write the minutes and end.</summary>
    public const string Archive = "archive";

    /// <summary>Not backed by the store: nothing happens.</summary>
    public const string Ignore = "ignore";

    /// <summary>The store has no meeting for this instance: the orchestration ends.</summary>
    public const string End = "end";
}

/// <summary>One pack version of one meeting.</summary>
public sealed record PackWork(string MeetingId, int Version);

/// <summary>A written-opinion request's orchestration input.</summary>
public sealed record OpinionInput(string MeetingId, int Item, DateTime Deadline);

/// <summary>The opinion request on an item as stored: <c>Exists</c> false when there is none.</summary>
public sealed record OpinionRequestState(bool Exists, bool Closed, DateTime Deadline);

/// <summary>Mails about an opinion request; <paramref name="Queued"/> is the orchestration's time, stable across retries.</summary>
public sealed record OpinionWork(string MeetingId, int Item, bool Reminder, DateTime Queued);
