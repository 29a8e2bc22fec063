using System.Text;
using Microsoft.Data.Sqlite;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Store.Sqlite;

// The client side: create, send, read, query and purge instances.
public sealed partial class SqliteDurableStore
{
    private const string InstanceColumns =
        "instance_id, execution_id, name, version, status, created_at, updated_at, completed_at, scheduled_start_at, " +
        "custom_status, failure, parent_instance_id, parent_execution_id, parent_task_id";

    /// <inheritdoc/>
    public async Task<CreateOutcome> CreateInstanceAsync(NewInstance instance, IReadOnlyCollection<P.OrchestrationStatus> replaceableStatuses, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var outcome = await Writer.WriteAsync(w =>
        {
            if (StatusOf(w, instance.InstanceId) is { } existing && !replaceableStatuses.Contains(existing))
                return new CreateOutcome(false, existing);
            InsertInstance(w, instance, Now);
            return new CreateOutcome(true, null);
        }).ConfigureAwait(false);
        if (outcome.Created)
        {
            _orchestrationWork.Set();
            RaiseChanged(instance.InstanceId);
        }
        return outcome;
    }

    /// <inheritdoc/>
    public async Task<SendOutcome> SendAsync(string instanceId, P.HistoryEvent message, bool allowFinished, CancellationToken ct)
    {
        var outcome = await Writer.WriteAsync(w =>
        {
            if (StatusOf(w, instanceId) is not { } status) return SendOutcome.NotFound;
            if (status.IsFinished() && !allowFinished) return SendOutcome.Finished;
            if (IsRewind(message))
            {
                // A rewind takes the instance out of Failed at once, so that a caller waiting for completion right after
                // asking for it waits for the rewound run rather than seeing the old failure.
                w.Execute("UPDATE instances SET status = @status, completed_at = NULL, updated_at = @now WHERE instance_id = @id",
                    ("@status", (int)P.OrchestrationStatus.Running), ("@now", Now), ("@id", instanceId));
            }
            InsertMessage(w, instanceId, null, message, Now);
            return SendOutcome.Sent;
        }).ConfigureAwait(false);
        if (outcome == SendOutcome.Sent)
        {
            _orchestrationWork.Set();
            if (IsRewind(message)) RaiseChanged(instanceId);
        }
        return outcome;
    }

    private static bool IsRewind(P.HistoryEvent message) => message.EventTypeCase == P.HistoryEvent.EventTypeOneofCase.ExecutionRewound;

    /// <inheritdoc/>
    public async Task<InstanceRecord?> GetInstanceAsync(string instanceId, bool withPayloads, CancellationToken ct)
    {
        await using var connection = await OpenReadAsync(ct).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {InstanceColumns}, {(withPayloads ? "input, output" : "NULL, NULL")} FROM instances WHERE instance_id = @id";
        command.Parameters.AddWithValue("@id", instanceId);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadInstance(reader) : null;
    }

    /// <inheritdoc/>
    public async Task<InstancePage> QueryInstancesAsync(InstanceFilter filter, CancellationToken ct)
    {
        var pageSize = Math.Clamp(filter.PageSize, 1, 1000);
        await using var connection = await OpenReadAsync(ct).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT {InstanceColumns}, {(filter.WithPayloads ? "input, output" : "NULL, NULL")} FROM instances WHERE 1 = 1");
        AddStatuses(command, sql, filter.Statuses);
        if (filter.CreatedFrom is { } from) { sql.Append(" AND created_at >= @from"); command.Parameters.AddWithValue("@from", ToTicks(from)); }
        if (filter.CreatedTo is { } to) { sql.Append(" AND created_at < @to"); command.Parameters.AddWithValue("@to", ToTicks(to)); }
        if (!string.IsNullOrEmpty(filter.InstanceIdPrefix))
        {
            sql.Append(" AND substr(instance_id, 1, length(@prefix)) = @prefix");
            command.Parameters.AddWithValue("@prefix", filter.InstanceIdPrefix);
        }
        if (filter.After is { } after)
        {
            // Keyset paging, newest first: stable while instances come and go between pages.
            sql.Append(" AND (created_at < @afterTime OR (created_at = @afterTime AND instance_id < @afterId))");
            command.Parameters.AddWithValue("@afterTime", after.Time.Ticks);
            command.Parameters.AddWithValue("@afterId", after.InstanceId);
        }
        sql.Append(" ORDER BY created_at DESC, instance_id DESC LIMIT @limit");
        command.Parameters.AddWithValue("@limit", pageSize + 1);
        command.CommandText = sql.ToString();

        var page = new List<InstanceRecord>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) page.Add(ReadInstance(reader));
        if (page.Count <= pageSize) return new InstancePage(page, null);
        page.RemoveAt(pageSize);
        return new InstancePage(page, new PageKey(page[^1].CreatedAt, page[^1].InstanceId));
    }

    /// <inheritdoc/>
    public async Task<InstanceIdPage> ListInstanceIdsAsync(InstanceIdFilter filter, CancellationToken ct)
    {
        var pageSize = Math.Clamp(filter.PageSize, 1, 1000);
        await using var connection = await OpenReadAsync(ct).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT instance_id, completed_at FROM instances WHERE completed_at IS NOT NULL");
        AddStatuses(command, sql, filter.Statuses);
        if (filter.CompletedFrom is { } from) { sql.Append(" AND completed_at >= @from"); command.Parameters.AddWithValue("@from", ToTicks(from)); }
        if (filter.CompletedTo is { } to) { sql.Append(" AND completed_at < @to"); command.Parameters.AddWithValue("@to", ToTicks(to)); }
        if (filter.After is { } after)
        {
            sql.Append(" AND (completed_at > @afterTime OR (completed_at = @afterTime AND instance_id > @afterId))");
            command.Parameters.AddWithValue("@afterTime", after.Time.Ticks);
            command.Parameters.AddWithValue("@afterId", after.InstanceId);
        }
        sql.Append(" ORDER BY completed_at, instance_id LIMIT @limit");
        command.Parameters.AddWithValue("@limit", pageSize + 1);
        command.CommandText = sql.ToString();

        var ids = new List<string>();
        var last = default(PageKey);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            if (ids.Count == pageSize) return new InstanceIdPage(ids, last);
            ids.Add(reader.GetString(0));
            last = new PageKey(FromTicks(reader.GetInt64(1)), ids[^1]);
        }
        return new InstanceIdPage(ids, null);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<P.HistoryEvent>?> GetHistoryAsync(string instanceId, string? executionId, CancellationToken ct)
    {
        await using var connection = await OpenReadAsync(ct).ConfigureAwait(false);
        // One read transaction: the history and the execution id it belongs to are read from the same snapshot.
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var check = connection.CreateCommand())
        {
            check.Transaction = transaction;
            check.CommandText = "SELECT execution_id FROM instances WHERE instance_id = @id";
            check.Parameters.AddWithValue("@id", instanceId);
            if (await check.ExecuteScalarAsync(ct).ConfigureAwait(false) is not string current) return null;
            if (executionId is not null && executionId != current) return null;
        }
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT event FROM history WHERE instance_id = @id ORDER BY seq";
        command.Parameters.AddWithValue("@id", instanceId);
        var history = new List<P.HistoryEvent>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) history.Add(P.HistoryEvent.Parser.ParseFrom((byte[])reader.GetValue(0)));
        return history;
    }

    /// <inheritdoc/>
    public async Task<PurgeOutcome> PurgeInstanceAsync(string instanceId, bool recursive, CancellationToken ct)
    {
        var (outcome, purged) = await Writer.WriteAsync(w =>
        {
            var tree = InstanceTree(w, instanceId);
            if (tree.Count == 0) return (new PurgeOutcome(0, true), new List<string>());
            if (!tree[0].Status.IsFinished()) return (new PurgeOutcome(0, true, NotFinished: true), []);
            // Sub-orchestrations still running are left alone: purging them would lose work in progress.
            var ids = recursive ? tree.Where(t => t.Status.IsFinished()).Select(t => t.Id).ToList() : [instanceId];
            foreach (var id in ids) DeleteInstance(w, id);
            return (new PurgeOutcome(ids.Count, true), ids);
        }).ConfigureAwait(false);
        foreach (var id in purged) RaiseChanged(id);
        return outcome;
    }

    /// <inheritdoc/>
    public async Task<PurgeOutcome> PurgeInstancesAsync(PurgeFilter filter, bool recursive, DateTimeOffset? deadline, CancellationToken ct)
    {
        const int batchSize = 500;
        var statuses = filter.Statuses.Count > 0 ? filter.Statuses.Where(s => s.IsFinished()).ToArray() : InstanceStatus.Finished.ToArray();
        if (statuses.Length == 0) return new PurgeOutcome(0, true);
        var where = new StringBuilder($"status IN ({string.Join(",", statuses.Select(s => (int)s))})");
        if (filter.CreatedFrom is not null) where.Append(" AND created_at >= @from");
        if (filter.CreatedTo is not null) where.Append(" AND created_at < @to");
        var select = $"SELECT instance_id FROM instances WHERE {where} LIMIT {batchSize}";
        long? from = filter.CreatedFrom is { } f ? ToTicks(f) : null;
        long? to = filter.CreatedTo is { } t ? ToTicks(t) : null;

        var total = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (deadline is { } d && DateTimeOffset.UtcNow >= d) return new PurgeOutcome(total, false);
            var purged = await Writer.WriteAsync(w =>
            {
                var ids = new List<string>();
                using (var reader = w.Query(select, ("@from", from), ("@to", to)))
                {
                    while (reader.Read()) ids.Add(reader.GetString(0));
                }
                var deleted = new List<string>();
                foreach (var id in ids)
                {
                    var tree = recursive ? InstanceTree(w, id).Where(x => x.Status.IsFinished()).Select(x => x.Id) : [id];
                    foreach (var member in tree)
                    {
                        DeleteInstance(w, member);
                        deleted.Add(member);
                    }
                }
                return (Matched: ids.Count, Deleted: deleted);
            }).ConfigureAwait(false);
            total += purged.Deleted.Count;
            foreach (var id in purged.Deleted) RaiseChanged(id);
            if (purged.Matched < batchSize) return new PurgeOutcome(total, true);
        }
    }

    /// <inheritdoc/>
    public Task DeleteAllAsync(CancellationToken ct) => Writer.WriteAsync(w =>
    {
        foreach (var table in new[] { "history", "messages", "activities", "instances" }) w.Execute($"DELETE FROM {table}");
        return 0;
    });

    private static void AddStatuses(SqliteCommand command, StringBuilder sql, IReadOnlyCollection<P.OrchestrationStatus> statuses)
    {
        if (statuses.Count == 0) return;
        var names = statuses.Select((s, i) => (Name: $"@s{i}", Value: (int)s)).ToList();
        sql.Append($" AND status IN ({string.Join(",", names.Select(n => n.Name))})");
        foreach (var (name, value) in names) command.Parameters.AddWithValue(name, value);
    }

    private static InstanceRecord ReadInstance(SqliteDataReader r) => new()
    {
        InstanceId = r.GetString(0),
        ExecutionId = r.GetString(1),
        Name = r.GetString(2),
        Version = r.IsDBNull(3) ? null : r.GetString(3),
        Status = (P.OrchestrationStatus)r.GetInt64(4),
        CreatedAt = FromTicks(r.GetInt64(5)),
        LastUpdatedAt = FromTicks(r.GetInt64(6)),
        CompletedAt = r.IsDBNull(7) ? null : FromTicks(r.GetInt64(7)),
        ScheduledStartAt = r.IsDBNull(8) ? null : FromTicks(r.GetInt64(8)),
        CustomStatus = r.IsDBNull(9) ? null : r.GetString(9),
        Failure = r.IsDBNull(10) ? null : P.TaskFailureDetails.Parser.ParseFrom((byte[])r.GetValue(10)),
        Parent = r.IsDBNull(11) ? null : new ParentLink(r.GetString(11), r.GetString(12), r.GetInt32(13)),
        Input = r.IsDBNull(14) ? null : r.GetString(14),
        Output = r.IsDBNull(15) ? null : r.GetString(15),
    };
}
