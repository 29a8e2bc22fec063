using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using Pipeline.Functions.Documents;
using static Pipeline.Functions.Documents.CatalogSql;

namespace Pipeline.Functions.Meetings;

/// <summary>Why a meeting change was refused.</summary>
public enum MeetingChange
{
    /// <summary>Done.</summary>
    Done,
    /// <summary>No such meeting (or item, or participant).</summary>
    NotFound,
    /// <summary>Not possible in the meeting's current state; the caller says which.</summary>
    WrongState,
    /// <summary>Done already (e.g. the participant has answered); nothing changed.</summary>
    AlreadyDone,
}

/// <summary>
/// Meetings: the plan, the session record, pack versions, participants' links, written opinions and votes, in the
/// catalog database. Every change is one write transaction with its entry in the meeting's audit trail
/// (<see cref="MeetingRecord.AuditKey"/>), so what the API answered is what is stored.
/// </summary>
public sealed partial class MeetingStore
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private const string Columns = "id, office, status, plan, session, pack_version, minutes_document_id, created_by, created, last_updated";

    private readonly CatalogDatabase _database;
    private readonly AuditLog _audit;
    private readonly TimeProvider _clock;

    /// <summary>The store in <paramref name="database"/>; creates its tables when missing.</summary>
    public MeetingStore(CatalogDatabase database, AuditLog audit, TimeProvider clock)
    {
        _database = database;
        _audit = audit;
        _clock = clock;
        database.EnsureSchema(MeetingSchema.Sql);
    }

    /// <summary>The audit log (the meeting's trail is under <see cref="MeetingRecord.AuditKey"/>).</summary>
    public AuditLog Audit => _audit;

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    /// <summary>Stores a new Draft meeting.</summary>
    public async Task<MeetingRecord> CreateAsync(string office, MeetingPlan plan, string actor, CancellationToken ct = default)
    {
        var id = Guid.NewGuid().ToString("N");
        var now = Now;
        var meeting = new MeetingRecord(id, office, MeetingStatus.Draft, plan, MeetingSession.Empty, 0, null, actor, now, now);
        await using var connection = _database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        Execute(transaction, $"INSERT INTO meetings({Columns}) VALUES ($id, $office, $status, $plan, $session, 0, NULL, $actor, $now, $now)",
            ("$id", id), ("$office", office), ("$status", meeting.Status.ToString()), ("$plan", Serialize(plan)), ("$session", Serialize(meeting.Session)),
            ("$actor", actor), ("$now", Iso(now)));
        _audit.Append(transaction, meeting.AuditKey, new AuditEntry("meeting-created", actor, Serialize(new { plan.Title, plan.StartsAt, items = plan.Agenda.Count, participants = plan.Participants.Count })));
        await transaction.CommitAsync(ct);
        return meeting;
    }

    /// <summary>The meeting, or null.</summary>
    public async Task<MeetingRecord?> GetAsync(string id, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        return Read(connection, null, id);
    }

    /// <summary>The office's meetings, latest start first.</summary>
    public async Task<IReadOnlyList<MeetingRecord>> ListAsync(string office, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        return [.. Strings(connection, null, "SELECT id FROM meetings WHERE office = $office ORDER BY json_extract(plan, '$.startsAt') DESC, created DESC", ("$office", office))
            .Select(id => Read(connection, null, id)!)];
    }

    /// <summary>
    /// Changes the meeting in one transaction when <paramref name="allowed"/> says it may (given the meeting as it is):
    /// <paramref name="change"/> gives the new record, <paramref name="audit"/> its audit entry. Returns the outcome and the meeting as it is after.
    /// </summary>
    public async Task<(MeetingChange Result, MeetingRecord? Meeting)> ChangeAsync(string id, Func<MeetingRecord, bool> allowed,
        Func<MeetingRecord, MeetingRecord> change, Func<MeetingRecord, AuditEntry> audit, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        var meeting = Read(connection, transaction, id);
        if (meeting is null) return (MeetingChange.NotFound, null);
        if (!allowed(meeting)) return (MeetingChange.WrongState, meeting);
        var changed = change(meeting) with { Id = meeting.Id, LastUpdated = Now };
        Execute(transaction, "UPDATE meetings SET status = $status, plan = $plan, session = $session, pack_version = $version, minutes_document_id = $minutes, last_updated = $now WHERE id = $id",
            ("$status", changed.Status.ToString()), ("$plan", Serialize(changed.Plan)), ("$session", Serialize(changed.Session)), ("$version", changed.PackVersion),
            ("$minutes", changed.MinutesDocumentId), ("$now", Iso(changed.LastUpdated)), ("$id", id));
        _audit.Append(transaction, meeting.AuditKey, audit(changed));
        await transaction.CommitAsync(ct);
        return (MeetingChange.Done, changed);
    }

    /// <summary>
    /// Records pack version <paramref name="version"/> (built from <paramref name="plan"/>) and makes it current; a Draft
    /// meeting becomes Published. A version recorded already is left as it is (a retried build).
    /// </summary>
    public async Task<MeetingRecord?> AddPackAsync(string id, int version, string sha256, int pages, MeetingPlan plan, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        var meeting = Read(connection, transaction, id);
        if (meeting is null) return null;
        var inserted = Execute(transaction, "INSERT OR IGNORE INTO meeting_packs(meeting_id, version, sha256, pages, plan, built) VALUES ($id, $version, $sha, $pages, $plan, $now)",
            ("$id", id), ("$version", version), ("$sha", sha256), ("$pages", pages), ("$plan", Serialize(plan)), ("$now", Iso(Now)));
        if (inserted == 1 && version > meeting.PackVersion)
        {
            var status = meeting.Status == MeetingStatus.Draft ? MeetingStatus.Published : meeting.Status;
            Execute(transaction, "UPDATE meetings SET pack_version = $version, status = $status, last_updated = $now WHERE id = $id",
                ("$version", version), ("$status", status.ToString()), ("$now", Iso(Now)), ("$id", id));
            _audit.Append(transaction, meeting.AuditKey, new AuditEntry(version == 1 ? "meeting-published" : "pack-updated", AuditEntry.System,
                Serialize(new { version, sha256, pages, superseded = version > 1 ? version - 1 : (int?)null })));
        }
        await transaction.CommitAsync(ct);
        return Read(connection, null, id);
    }

    /// <summary>The pack versions, oldest first.</summary>
    public async Task<IReadOnlyList<PackVersionRecord>> PacksAsync(string id, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        using var command = Command(connection, null, "SELECT version, sha256, pages, built FROM meeting_packs WHERE meeting_id = $id ORDER BY version", ("$id", id));
        using var reader = command.ExecuteReader();
        var rows = new List<(int Version, string Sha, int Pages, DateTime Built)>();
        while (reader.Read()) rows.Add((reader.GetInt32(0), reader.GetString(1), reader.GetInt32(2), Time(reader, 3)!.Value));
        var latest = rows.Count == 0 ? 0 : rows.Max(r => r.Version);
        return [.. rows.Select(r => new PackVersionRecord(r.Version, r.Sha, r.Pages, r.Built, r.Version < latest))];
    }

    /// <summary>The plan a pack version was built from (what that version's readers saw), or null.</summary>
    public async Task<MeetingPlan?> PackPlanAsync(string id, int version, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        using var command = Command(connection, null, "SELECT plan FROM meeting_packs WHERE meeting_id = $id AND version = $version", ("$id", id), ("$version", version));
        return command.ExecuteScalar() is string plan ? JsonSerializer.Deserialize<MeetingPlan>(plan, Json) : null;
    }

    /// <summary>Gives every participant of the plan a link (kept when they have one), expiring at <paramref name="expiresAt"/>; returns them all.</summary>
    public async Task<IReadOnlyList<MeetingLinkRecord>> EnsureLinksAsync(MeetingRecord meeting, DateTime expiresAt, Func<string> newTokenId, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        foreach (var participant in meeting.Plan.Participants)
        {
            Execute(transaction, "INSERT OR IGNORE INTO meeting_links(token_id, meeting_id, participant, issued, expires_at) VALUES ($token, $id, $who, $now, $expires)",
                ("$token", newTokenId()), ("$id", meeting.Id), ("$who", participant.Email), ("$now", Iso(Now)), ("$expires", Iso(expiresAt)));
        }
        await transaction.CommitAsync(ct);
        return Links(connection, "meeting_id = $id", ("$id", meeting.Id));
    }

    /// <summary>The link with id <paramref name="tokenId"/>, or null.</summary>
    public async Task<MeetingLinkRecord?> GetLinkAsync(string tokenId, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        return Links(connection, "token_id = $token", ("$token", tokenId)).FirstOrDefault();
    }

    /// <summary>The keys of the meeting's mails already sent.</summary>
    public async Task<IReadOnlySet<string>> SentMailKeysAsync(string id, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        return Strings(connection, null, "SELECT key FROM meeting_mails WHERE meeting_id = $id", ("$id", id)).ToHashSet();
    }

    /// <summary>Records a mail sent (once per key) with its audit entry.</summary>
    public async Task RecordMailAsync(MeetingRecord meeting, string key, string kind, string recipient, string messageId, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        if (Execute(transaction, "INSERT OR IGNORE INTO meeting_mails(key, meeting_id, kind, recipient, message_id, sent) VALUES ($key, $id, $kind, $to, $message, $now)",
                ("$key", key), ("$id", meeting.Id), ("$kind", kind), ("$to", recipient), ("$message", messageId), ("$now", Iso(Now))) == 1)
            _audit.Append(transaction, meeting.AuditKey, new AuditEntry("meeting-mail-sent", AuditEntry.System, Serialize(new { kind, to = recipient, messageId })));
        await transaction.CommitAsync(ct);
    }

    private static List<MeetingLinkRecord> Links(SqliteConnection connection, string where, params (string, object?)[] parameters)
    {
        using var command = Command(connection, null, $"SELECT token_id, meeting_id, participant, issued, expires_at FROM meeting_links WHERE {where} ORDER BY rowid", parameters);
        using var reader = command.ExecuteReader();
        var links = new List<MeetingLinkRecord>();
        while (reader.Read()) links.Add(new(reader.GetString(0), reader.GetString(1), reader.GetString(2), Time(reader, 3)!.Value, Time(reader, 4)!.Value));
        return links;
    }

    private static MeetingRecord? Read(SqliteConnection connection, SqliteTransaction? transaction, string id)
    {
        using var command = Command(connection, transaction, $"SELECT {Columns} FROM meetings WHERE id = $id", ("$id", id));
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        return new MeetingRecord(reader.GetString(0), reader.GetString(1), Enum.Parse<MeetingStatus>(reader.GetString(2)),
            JsonSerializer.Deserialize<MeetingPlan>(reader.GetString(3), Json)!, JsonSerializer.Deserialize<MeetingSession>(reader.GetString(4), Json)!,
            reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetString(7), Time(reader, 8)!.Value, Time(reader, 9)!.Value);
    }

    internal static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Json);
}
