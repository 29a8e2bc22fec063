using Microsoft.Data.Sqlite;
using Pipeline.Functions.Documents;
using static Pipeline.Functions.Documents.CatalogSql;

namespace Pipeline.Functions.Meetings;

public sealed partial class MeetingStore
{
    /// <summary>Asks every participant who can see item <paramref name="item"/> for a written opinion by <paramref name="deadline"/> (once per item).</summary>
    public async Task<MeetingChange> RequestOpinionsAsync(string id, int item, string question, DateTime deadline, string actor, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        var meeting = Read(connection, transaction, id);
        if (meeting is null || meeting.Plan.Agenda.All(a => a.Number != item)) return MeetingChange.NotFound;
        if (meeting.Status is not (MeetingStatus.Published or MeetingStatus.InSession)) return MeetingChange.WrongState;
        if (Execute(transaction, "INSERT OR IGNORE INTO meeting_opinion_requests(meeting_id, item, question, deadline, created, closed) VALUES ($id, $item, $q, $deadline, $now, 0)",
                ("$id", id), ("$item", item), ("$q", question), ("$deadline", Iso(deadline)), ("$now", Iso(Now))) == 0)
            return MeetingChange.AlreadyDone;
        _audit.Append(transaction, meeting.AuditKey, new AuditEntry("opinions-requested", actor, Serialize(new { item, question, deadline })));
        await transaction.CommitAsync(ct);
        return MeetingChange.Done;
    }

    /// <summary>
    /// Records <paramref name="participant"/>'s opinion on <paramref name="item"/>, once, while the request is open and
    /// before its deadline, and only from a participant who can see the item.
    /// </summary>
    public async Task<MeetingChange> AnswerOpinionAsync(string id, int item, string participant, OpinionAnswer answer, string? comment, string clientAddress,
        string? userAgent, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        var meeting = Read(connection, transaction, id);
        var request = meeting is null ? null : Opinions(connection, transaction, id).FirstOrDefault(r => r.Item == item);
        if (meeting is null || request is null || meeting.Plan.Agenda.FirstOrDefault(a => a.Number == item)?.VisibleTo(participant) != true)
            return MeetingChange.NotFound;
        if (request.Closed || Now >= request.Deadline) return MeetingChange.WrongState;
        if (Execute(transaction, "INSERT OR IGNORE INTO meeting_opinions(meeting_id, item, participant, answer, comment, at) VALUES ($id, $item, $who, $answer, $comment, $now)",
                ("$id", id), ("$item", item), ("$who", participant), ("$answer", answer.ToString()), ("$comment", comment), ("$now", Iso(Now))) == 0)
            return MeetingChange.AlreadyDone;
        _audit.Append(transaction, meeting.AuditKey, new AuditEntry("opinion-answered", participant,
            Serialize(new { item, answer = answer.ToString().ToLowerInvariant(), comment, clientAddress, userAgent })));
        await transaction.CommitAsync(ct);
        return MeetingChange.Done;
    }

    /// <summary>
    /// Closes the opinion request on <paramref name="item"/> once its deadline has passed; audits who never answered.
    /// False while the request is open and its deadline still ahead (nothing changes); true otherwise.
    /// </summary>
    public async Task<bool> CloseOpinionsAsync(string id, int item, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        var meeting = Read(connection, transaction, id);
        var request = meeting is null ? null : Opinions(connection, transaction, id).FirstOrDefault(r => r.Item == item);
        if (request is { Closed: false } && Now < request.Deadline) return false;
        if (meeting is not null && Execute(transaction, "UPDATE meeting_opinion_requests SET closed = 1 WHERE meeting_id = $id AND item = $item AND closed = 0", ("$id", id), ("$item", item)) == 1)
        {
            var answered = Opinions(connection, transaction, id).First(r => r.Item == item).Answers.Select(a => a.Participant).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var missing = Eligible(meeting, item).Where(p => !answered.Contains(p)).ToList();
            _audit.Append(transaction, meeting.AuditKey, new AuditEntry("opinions-closed", AuditEntry.System, Serialize(new { item, answered = answered.Count, notAnswered = missing })));
        }
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>Every opinion request with its answers.</summary>
    public async Task<IReadOnlyList<OpinionRequestRecord>> OpinionsAsync(string id, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        return Opinions(connection, null, id);
    }

    /// <summary>The participants who can see <paramref name="item"/> (those asked for opinions and allowed to vote on it).</summary>
    public static IReadOnlyList<string> Eligible(MeetingRecord meeting, int item)
    {
        var agendaItem = meeting.Plan.Agenda.First(a => a.Number == item);
        return [.. meeting.Plan.Participants.Select(p => p.Email).Where(agendaItem.VisibleTo)];
    }

    /// <summary>Opens a vote on <paramref name="item"/> in session, secret or named.</summary>
    public async Task<MeetingChange> OpenVoteAsync(string id, int item, bool secret, string actor, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        var meeting = Read(connection, transaction, id);
        if (meeting is null || meeting.Plan.Agenda.All(a => a.Number != item)) return MeetingChange.NotFound;
        if (meeting.Status != MeetingStatus.InSession) return MeetingChange.WrongState;
        if (Execute(transaction, "INSERT OR IGNORE INTO meeting_vote_items(meeting_id, item, secret, open) VALUES ($id, $item, $secret, 1)",
                ("$id", id), ("$item", item), ("$secret", secret ? 1 : 0)) == 0)
            return MeetingChange.AlreadyDone;
        _audit.Append(transaction, meeting.AuditKey, new AuditEntry("vote-opened", actor, Serialize(new { item, secret })));
        await transaction.CommitAsync(ct);
        return MeetingChange.Done;
    }

    /// <summary>
    /// Records one participant's vote on an open vote, once; <paramref name="actor"/> is the participant (with the client
    /// address and user agent of their link), or the secretary recording a vote cast in the room.
    /// </summary>
    public async Task<MeetingChange> CastVoteAsync(string id, int item, string participant, VoteChoice choice, string actor, CancellationToken ct = default,
        string? clientAddress = null, string? userAgent = null)
    {
        await using var connection = _database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        var meeting = Read(connection, transaction, id);
        var vote = meeting is null ? null : Votes(connection, transaction, id).FirstOrDefault(v => v.Item == item);
        if (meeting is null || vote is null || meeting.Plan.Participant(participant) is null || !Eligible(meeting, item).Contains(participant, StringComparer.OrdinalIgnoreCase))
            return MeetingChange.NotFound;
        if (!vote.Open || meeting.Status != MeetingStatus.InSession) return MeetingChange.WrongState;
        if (Execute(transaction, "INSERT OR IGNORE INTO meeting_votes(meeting_id, item, participant, choice, at) VALUES ($id, $item, $who, $choice, $now)",
                ("$id", id), ("$item", item), ("$who", participant.ToLowerInvariant()), ("$choice", choice.ToString()), ("$now", Iso(Now))) == 0)
            return MeetingChange.AlreadyDone;
        // A secret vote's audit entry says that someone voted, not how.
        _audit.Append(transaction, meeting.AuditKey, new AuditEntry("vote-cast", actor,
            Serialize(new { item, participant, choice = vote.Secret ? null : choice.ToString().ToLowerInvariant(), clientAddress, userAgent })));
        await transaction.CommitAsync(ct);
        return MeetingChange.Done;
    }

    /// <summary>Closes the vote on <paramref name="item"/>; its result is final.</summary>
    public async Task<MeetingChange> CloseVoteAsync(string id, int item, string actor, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        var meeting = Read(connection, transaction, id);
        var vote = meeting is null ? null : Votes(connection, transaction, id).FirstOrDefault(v => v.Item == item);
        if (meeting is null || vote is null) return MeetingChange.NotFound;
        if (!vote.Open) return MeetingChange.AlreadyDone;
        Execute(transaction, "UPDATE meeting_vote_items SET open = 0 WHERE meeting_id = $id AND item = $item", ("$id", id), ("$item", item));
        _audit.Append(transaction, meeting.AuditKey, new AuditEntry("vote-closed", actor, Serialize(new
        {
            item,
            yes = vote.Votes.Count(v => v.Choice == VoteChoice.Yes), no = vote.Votes.Count(v => v.Choice == VoteChoice.No),
            abstain = vote.Votes.Count(v => v.Choice == VoteChoice.Abstain),
        })));
        await transaction.CommitAsync(ct);
        return MeetingChange.Done;
    }

    /// <summary>Every vote with its cast votes.</summary>
    public async Task<IReadOnlyList<VoteRecord>> VotesAsync(string id, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        return Votes(connection, null, id);
    }

    private static List<OpinionRequestRecord> Opinions(SqliteConnection connection, SqliteTransaction? transaction, string id)
    {
        var answers = new List<(int Item, OpinionRecord Answer)>();
        using (var command = Command(connection, transaction, "SELECT item, participant, answer, comment, at FROM meeting_opinions WHERE meeting_id = $id ORDER BY at, rowid", ("$id", id)))
        using (var reader = command.ExecuteReader())
            while (reader.Read())
                answers.Add((reader.GetInt32(0), new OpinionRecord(reader.GetString(1), Enum.Parse<OpinionAnswer>(reader.GetString(2)), reader.IsDBNull(3) ? null : reader.GetString(3), Time(reader, 4)!.Value)));
        using var requests = Command(connection, transaction, "SELECT item, question, deadline, created, closed FROM meeting_opinion_requests WHERE meeting_id = $id ORDER BY item", ("$id", id));
        using var rows = requests.ExecuteReader();
        var list = new List<OpinionRequestRecord>();
        while (rows.Read())
        {
            var item = rows.GetInt32(0);
            list.Add(new OpinionRequestRecord(item, rows.GetString(1), Time(rows, 2)!.Value, Time(rows, 3)!.Value, rows.GetInt32(4) == 1,
                [.. answers.Where(a => a.Item == item).Select(a => a.Answer)]));
        }
        return list;
    }

    private static List<VoteRecord> Votes(SqliteConnection connection, SqliteTransaction? transaction, string id)
    {
        var cast = new List<(int Item, CastVote Vote)>();
        using (var command = Command(connection, transaction, "SELECT item, participant, choice, at FROM meeting_votes WHERE meeting_id = $id ORDER BY at, rowid", ("$id", id)))
        using (var reader = command.ExecuteReader())
            while (reader.Read())
                cast.Add((reader.GetInt32(0), new CastVote(reader.GetString(1), Enum.Parse<VoteChoice>(reader.GetString(2)), Time(reader, 3)!.Value)));
        using var items = Command(connection, transaction, "SELECT item, secret, open FROM meeting_vote_items WHERE meeting_id = $id ORDER BY item", ("$id", id));
        using var rows = items.ExecuteReader();
        var list = new List<VoteRecord>();
        while (rows.Read())
        {
            var item = rows.GetInt32(0);
            list.Add(new VoteRecord(item, rows.GetInt32(1) == 1, rows.GetInt32(2) == 1, [.. cast.Where(c => c.Item == item).Select(c => c.Vote)]));
        }
        return list;
    }
}
