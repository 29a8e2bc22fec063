namespace Pipeline.Functions.Meetings;

/// <summary>Where a meeting is in its life (<c>Draft → Published → InSession → Concluded → Archived</c>).</summary>
public enum MeetingStatus
{
    /// <summary>Being prepared; nobody has been told.</summary>
    Draft,
    /// <summary>The pack is built and the participants have their links.</summary>
    Published,
    /// <summary>The meeting is being held: votes and conclusions are recorded.</summary>
    InSession,
    /// <summary>Held; conclusions recorded; the minutes can be made.</summary>
    Concluded,
    /// <summary>The minutes are in the archive; nothing changes any more.</summary>
    Archived,
}

/// <summary>A written opinion (phiếu lấy ý kiến): <c>agree|disagree|other</c>.</summary>
public enum OpinionAnswer
{
    /// <summary>Đồng ý.</summary>
    Agree,
    /// <summary>Không đồng ý.</summary>
    Disagree,
    /// <summary>Ý kiến khác.</summary>
    Other,
}

/// <summary>A vote in session: <c>yes|no|abstain</c>.</summary>
public enum VoteChoice
{
    /// <summary>Tán thành.</summary>
    Yes,
    /// <summary>Không tán thành.</summary>
    No,
    /// <summary>Không biểu quyết.</summary>
    Abstain,
}

/// <summary>Someone invited to a meeting.</summary>
/// <param name="Email">Their address (lower case); their personal link goes there.</param>
/// <param name="Name">Their name as printed on the watermark and in the minutes, when known.</param>
public sealed record MeetingParticipant(string Email, string? Name)
{
    /// <summary>The name, else the address.</summary>
    public string Display => string.IsNullOrWhiteSpace(Name) ? Email : Name!;
}

/// <summary>One item of the agenda.</summary>
/// <param name="Number">1-based position.</param>
/// <param name="Title">What the item is about.</param>
/// <param name="Presenter">Who presents it.</param>
/// <param name="DocumentIds">The documents of the item, in order; each Approved, unless the item is for information.</param>
/// <param name="ForInformation">Why documents that are not approved are on it ("for information"), or null.</param>
/// <param name="RestrictedTo">For a secret item: the only participants who may see it; null when every participant may.</param>
public sealed record AgendaItem(int Number, string Title, string? Presenter, IReadOnlyList<string> DocumentIds, string? ForInformation, IReadOnlyList<string>? RestrictedTo)
{
    /// <summary>True when <paramref name="email"/> may see this item.</summary>
    public bool VisibleTo(string email) => RestrictedTo is null || RestrictedTo.Contains(email, StringComparer.OrdinalIgnoreCase);
}

/// <summary>What is planned: changed freely while Draft; after publishing a change makes a new pack version.</summary>
public sealed record MeetingPlan(string Title, DateTime StartsAt, string? Place, string? Chair, string? Secretary, string? Dossier,
    IReadOnlyList<MeetingParticipant> Participants, IReadOnlyList<AgendaItem> Agenda)
{
    /// <summary>The participant with <paramref name="email"/>, or null.</summary>
    public MeetingParticipant? Participant(string email) => Participants.FirstOrDefault(p => string.Equals(p.Email, email, StringComparison.OrdinalIgnoreCase));
}

/// <summary>What happened in session.</summary>
/// <param name="Attendance">Participants present.</param>
/// <param name="Conclusions">The conclusion of each item (by number).</param>
public sealed record MeetingSession(IReadOnlyList<string> Attendance, IReadOnlyDictionary<int, string> Conclusions)
{
    /// <summary>Nothing recorded yet.</summary>
    public static MeetingSession Empty { get; } = new([], new Dictionary<int, string>());
}

/// <summary>A meeting as stored.</summary>
public sealed record MeetingRecord(string Id, string Office, MeetingStatus Status, MeetingPlan Plan, MeetingSession Session, int PackVersion,
    string? MinutesDocumentId, string CreatedBy, DateTime Created, DateTime LastUpdated)
{
    /// <summary>The orchestration that runs the meeting's life.</summary>
    public string InstanceId => InstanceIdOf(Id);

    /// <summary>The orchestration instance of a meeting.</summary>
    public static string InstanceIdOf(string meetingId) => "meeting-" + meetingId;

    /// <summary>The key of the meeting's own audit trail (in the catalog's audit log, beside documents' trails).</summary>
    public string AuditKey => "meeting:" + Id;
}

/// <summary>One built version of the pack.</summary>
/// <param name="Version">1, 2, …</param>
/// <param name="Sha256">The master copy in the blob store.</param>
/// <param name="Pages">Pages in the master copy.</param>
/// <param name="Built">When.</param>
/// <param name="Superseded">True once a later version exists.</param>
public sealed record PackVersionRecord(int Version, string Sha256, int Pages, DateTime Built, bool Superseded);

/// <summary>A written-opinion request on one item.</summary>
public sealed record OpinionRequestRecord(int Item, string Question, DateTime Deadline, DateTime Created, bool Closed, IReadOnlyList<OpinionRecord> Answers);

/// <summary>One participant's written opinion.</summary>
public sealed record OpinionRecord(string Participant, OpinionAnswer Answer, string? Comment, DateTime At);

/// <summary>A vote on one item.</summary>
/// <param name="Item">The item.</param>
/// <param name="Secret">Secret: only the tally is ever shown; named: who voted what.</param>
/// <param name="Open">Still taking votes.</param>
/// <param name="Votes">The votes (for a secret vote, read only for counting).</param>
public sealed record VoteRecord(int Item, bool Secret, bool Open, IReadOnlyList<CastVote> Votes);

/// <summary>One vote.</summary>
public sealed record CastVote(string Participant, VoteChoice Choice, DateTime At);

/// <summary>A participant's personal link to a meeting.</summary>
public sealed record MeetingLinkRecord(string TokenId, string MeetingId, string Participant, DateTime Issued, DateTime ExpiresAt);
