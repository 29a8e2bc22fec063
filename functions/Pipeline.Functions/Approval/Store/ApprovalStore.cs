using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using Pipeline.Functions.Documents;
using static Pipeline.Functions.Documents.CatalogSql;

namespace Pipeline.Functions.Approval;

/// <summary>Why an approval could not be asked for.</summary>
public enum CreateApprovalResult
{
    /// <summary>Stored; the document is now <c>InApproval</c>.</summary>
    Created,
    /// <summary>No such document.</summary>
    DocumentNotFound,
    /// <summary>The document is not in a state that can be approved (see the status).</summary>
    DocumentNotReady,
    /// <summary>The document already has a pending approval.</summary>
    AlreadyInApproval,
}

/// <summary>The outcome of <see cref="ApprovalStore.CreateAsync"/>.</summary>
public sealed record CreateApprovalOutcome(CreateApprovalResult Result, ApprovalRecord? Approval = null, string? DocumentStatus = null, string? PendingApprovalId = null);

/// <summary>
/// Approvals, their steps, links, decisions and mails, in the document catalog's database. Every change is one
/// write transaction (<c>BEGIN IMMEDIATE</c>) together with the document's status and its audit entries, so the
/// database is the one place that decides: concurrent decisions on a step are serialised, and exactly one of them
/// ends it. The orchestration only carries the approval forward from what is stored here.
/// </summary>
public sealed partial class ApprovalStore
{
    // Vietnamese kept readable in the stored route and audit details (they are data, never written into HTML unencoded).
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
    private const string ApprovalColumns = "id, document_id, office, route, status, current_step, document_status_before, requested_by, created, finished";

    // Statuses a document can be sent for approval from: digitised and checked, or sent back / refused by a previous
    // approval and corrected since (a document refused at intake has an error and is not approvable).
    private static readonly HashSet<string> Approvable = [nameof(DocumentStatus.Digitised), nameof(DocumentStatus.Returned), nameof(DocumentStatus.Rejected)];

    private readonly CatalogDatabase _database;
    private readonly AuditLog _audit;
    private readonly TimeProvider _clock;

    /// <summary>The store in <paramref name="database"/>; creates its tables when missing.</summary>
    public ApprovalStore(CatalogDatabase database, AuditLog audit, TimeProvider clock)
    {
        _database = database;
        _audit = audit;
        _clock = clock;
        database.EnsureSchema(ApprovalSchema.Sql);
    }

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Stores a new approval of <paramref name="documentId"/> along <paramref name="route"/> (roles already resolved),
    /// moves the document to <c>InApproval</c> and audits the request, unless the document is missing, not approvable,
    /// or already in a pending approval.
    /// </summary>
    public async Task<CreateApprovalOutcome> CreateAsync(string documentId, ApprovalRoute route, string actor, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        string status, office;
        using (var select = Command(transaction, "SELECT status, office, error_code FROM documents WHERE id = $id", ("$id", documentId)))
        using (var reader = select.ExecuteReader())
        {
            if (!reader.Read()) return new(CreateApprovalResult.DocumentNotFound);
            status = reader.GetString(0);
            office = reader.GetString(1);
            if (!reader.IsDBNull(2)) return new(CreateApprovalResult.DocumentNotReady, DocumentStatus: status);
        }
        if (Scalar(transaction, "SELECT id FROM approvals WHERE document_id = $doc AND status = 'Pending'", ("$doc", documentId)) is string pending)
            return new(CreateApprovalResult.AlreadyInApproval, DocumentStatus: status, PendingApprovalId: pending);
        if (!Approvable.Contains(status)) return new(CreateApprovalResult.DocumentNotReady, DocumentStatus: status);

        var id = Guid.NewGuid().ToString("N");
        var now = Now;
        Execute(transaction, $"INSERT INTO approvals({ApprovalColumns}) VALUES ($id, $doc, $office, $route, 'Pending', NULL, $before, $actor, $now, NULL)",
            ("$id", id), ("$doc", documentId), ("$office", office), ("$route", JsonSerializer.Serialize(route, Json)), ("$before", status),
            ("$actor", actor), ("$now", Iso(now)));
        for (var i = 0; i < route.Steps.Count; i++)
            Execute(transaction, "INSERT INTO approval_steps(approval_id, step, status) VALUES ($id, $step, 'Waiting')", ("$id", id), ("$step", i));
        SetDocumentStatus(transaction, documentId, nameof(DocumentStatus.InApproval), now);
        _audit.Append(transaction, documentId, new AuditEntry("approval-requested", actor, Detail(new
        {
            approvalId = id,
            route = route.Name,
            steps = route.Steps.Select(s => new { s.Name, mode = s.Mode.ToString().ToLowerInvariant(), due = s.DueText, s.Approvers }),
        })));
        await transaction.CommitAsync(ct);
        return new(CreateApprovalResult.Created, Read(connection, id));
    }

    /// <summary>The approval, or null.</summary>
    public async Task<ApprovalRecord?> GetAsync(string id, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        return Read(connection, id);
    }

    /// <summary>The document's approvals, oldest first.</summary>
    public async Task<IReadOnlyList<ApprovalRecord>> ListForDocumentAsync(string documentId, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        return Strings(connection, null, "SELECT id FROM approvals WHERE document_id = $doc ORDER BY created", ("$doc", documentId))
            .Select(id => Read(connection, id)!).ToList();
    }

    /// <summary>Every pending approval (for recovery at startup).</summary>
    public async Task<IReadOnlyList<ApprovalRecord>> ListPendingAsync(CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        return Strings(connection, null, "SELECT id FROM approvals WHERE status = 'Pending' ORDER BY created").Select(id => Read(connection, id)!).ToList();
    }

    /// <summary>The link with id <paramref name="tokenId"/>, or null when none was issued.</summary>
    public async Task<ApprovalLinkRecord?> GetLinkAsync(string tokenId, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        return Links(connection, null, "token_id = $token", ("$token", tokenId)).FirstOrDefault();
    }

    /// <summary>The links of a step, in the order the approvers are listed.</summary>
    public async Task<IReadOnlyList<ApprovalLinkRecord>> StepLinksAsync(string approvalId, int step, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        return Links(connection, null, "approval_id = $id AND step = $step", ("$id", approvalId), ("$step", step));
    }

    /// <summary>The keys of the mails of an approval already sent.</summary>
    public async Task<IReadOnlySet<string>> SentMailKeysAsync(string approvalId, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        return Strings(connection, null, "SELECT key FROM approval_mails WHERE approval_id = $id", ("$id", approvalId)).ToHashSet();
    }

    /// <summary>
    /// Records that the mail <paramref name="key"/> went out, with its audit entry (<c>approval-mail-sent</c>,
    /// <c>approval-reminder-sent</c> or <c>approval-escalated</c> by <paramref name="kind"/>). A key recorded already is
    /// left alone: the mail was sent by an earlier try.
    /// </summary>
    public async Task RecordMailAsync(ApprovalRecord approval, string key, string kind, int step, string recipient, string messageId, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        var inserted = Execute(transaction,
            "INSERT OR IGNORE INTO approval_mails(key, approval_id, kind, recipient, message_id, sent) VALUES ($key, $id, $kind, $to, $message, $now)",
            ("$key", key), ("$id", approval.Id), ("$kind", kind), ("$to", recipient), ("$message", messageId), ("$now", Iso(Now)));
        if (inserted == 1)
        {
            var action = kind switch { "reminder" => "approval-reminder-sent", "escalation" => "approval-escalated", _ => "approval-mail-sent" };
            _audit.Append(transaction, approval.DocumentId, new AuditEntry(action, AuditEntry.System,
                Detail(new { approvalId = approval.Id, step, stepName = approval.Route.Steps[step].Name, to = recipient, messageId })));
        }
        await transaction.CommitAsync(ct);
    }

    private ApprovalRecord? Read(SqliteConnection connection, string id, SqliteTransaction? transaction = null)
    {
        using var command = Command(connection, transaction, $"SELECT {ApprovalColumns} FROM approvals WHERE id = $id", ("$id", id));
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        var route = JsonSerializer.Deserialize<ApprovalRoute>(reader.GetString(3), Json)!;
        var decisions = new Dictionary<int, List<DecisionRecord>>();
        using (var select = Command(connection, transaction, "SELECT step, approver, decision, comment, at FROM approval_decisions WHERE approval_id = $id ORDER BY at, rowid", ("$id", id)))
        using (var rows = select.ExecuteReader())
        {
            while (rows.Read())
            {
                var step = rows.GetInt32(0);
                if (!decisions.TryGetValue(step, out var list)) decisions[step] = list = [];
                list.Add(new DecisionRecord(rows.GetString(1), Enum.Parse<ApprovalDecision>(rows.GetString(2)), rows.IsDBNull(3) ? null : rows.GetString(3), Time(rows, 4)!.Value));
            }
        }
        var steps = new List<StepRecord>();
        using (var select = Command(connection, transaction, "SELECT step, status, started, due_at, remind_at, expires_at, ended FROM approval_steps WHERE approval_id = $id ORDER BY step", ("$id", id)))
        using (var rows = select.ExecuteReader())
        {
            while (rows.Read())
            {
                var step = rows.GetInt32(0);
                steps.Add(new StepRecord(step, Enum.Parse<StepStatus>(rows.GetString(1)), Time(rows, 2), Time(rows, 3), Time(rows, 4), Time(rows, 5), Time(rows, 6),
                    decisions.TryGetValue(step, out var list) ? list : []));
            }
        }
        return new ApprovalRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), ApprovalRecord.InstanceIdOf(reader.GetString(0)), route,
            Enum.Parse<ApprovalStatus>(reader.GetString(4)), reader.IsDBNull(5) ? null : reader.GetInt32(5), reader.GetString(6), reader.GetString(7),
            Time(reader, 8)!.Value, Time(reader, 9), steps);
    }

    private static List<ApprovalLinkRecord> Links(SqliteConnection connection, SqliteTransaction? transaction, string where, params (string, object?)[] parameters)
    {
        using var command = Command(connection, transaction,
            $"SELECT token_id, approval_id, step, approver, state, issued, expires_at FROM approval_links WHERE {where} ORDER BY rowid", parameters);
        using var reader = command.ExecuteReader();
        var links = new List<ApprovalLinkRecord>();
        while (reader.Read())
            links.Add(new ApprovalLinkRecord(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3),
                Enum.Parse<LinkState>(reader.GetString(4)), Time(reader, 5)!.Value, Time(reader, 6)!.Value));
        return links;
    }

    private static void SetDocumentStatus(SqliteTransaction transaction, string documentId, string status, DateTime now) =>
        Execute(transaction, "UPDATE documents SET status = $status, last_updated_time = $now WHERE id = $id",
            ("$status", status), ("$now", Iso(now)), ("$id", documentId));

    private static string Detail(object value) => JsonSerializer.Serialize(value, Json);
}
