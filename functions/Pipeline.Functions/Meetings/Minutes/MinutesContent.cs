namespace Pipeline.Functions.Meetings;

/// <summary>What the minutes of a meeting record: the plan, who attended, per item its conclusion, written-opinion tally and vote result.</summary>
/// <param name="Plan">The meeting as planned (title, time, place, chair, secretary, participants, agenda).</param>
/// <param name="Session">Attendance and the conclusion of each item.</param>
/// <param name="Opinions">The written-opinion requests with their answers.</param>
/// <param name="Votes">The votes (a secret vote's individual choices must never be printed, only its tally).</param>
/// <param name="PackVersion">The pack version the meeting worked from.</param>
/// <param name="ConcludedAt">When the meeting was concluded (UTC).</param>
/// <param name="MeetingId">The meeting's id, printed for reference.</param>
public sealed record MinutesContent(MeetingPlan Plan, MeetingSession Session, IReadOnlyList<OpinionRequestRecord> Opinions, IReadOnlyList<VoteRecord> Votes,
    int PackVersion, DateTime ConcludedAt, string MeetingId);
