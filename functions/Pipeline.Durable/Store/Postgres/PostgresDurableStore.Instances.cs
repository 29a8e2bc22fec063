using System.Text;
using Google.Protobuf;
using Npgsql;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Store.Postgres;

// The client side: create, send, read, query and purge instances.
public sealed partial class PostgresDurableStore
{
    /// <inheritdoc/>
    public async Task<CreateOutcome> CreateInstanceAsync(NewInstance instance, IReadOnlyCollection<P.OrchestrationStatus> replaceableStatuses, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(instance);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var outcome = await RunAsync(async (connection, ct) =>
                {
                    await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                    P.OrchestrationStatus? existing;
                    await using (var lockRow = new NpgsqlCommand(Sql.LockStatus, connection, tx))
                    {
                        lockRow.Parameters.Add(Text("id", instance.InstanceId));
                        existing = await lockRow.ExecuteScalarAsync(ct).ConfigureAwait(false) is int status ? (P.OrchestrationStatus)status : null;
                    }
                    if (existing is { } current && !replaceableStatuses.Contains(current)) return new CreateOutcome(false, current);
                    await using var batch = new NpgsqlBatch(connection, tx);
                    if (existing is not null)
                    {
                        foreach (var statement in Sql.DeleteInstances) batch.BatchCommands.Add(Command(statement, TextArray("ids", [instance.InstanceId])));
                    }
                    AddInsertInstance(batch, instance);
                    await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                    await tx.CommitAsync(ct).ConfigureAwait(false);
                    return new CreateOutcome(true, null);
                }, ct).ConfigureAwait(false);
                if (outcome.Created)
                {
                    Wake(WorkKind.Orchestration);
                    Changed(instance.InstanceId);
                }
                return outcome;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && attempt == 1)
            {
                // A concurrent creator inserted the id between our read and our insert: look again (it exists now).
            }
        }
    }

    private void AddInsertInstance(NpgsqlBatch batch, NewInstance instance)
    {
        batch.BatchCommands.Add(Command(Sql.InsertInstance,
            Text("id", instance.InstanceId), Text("execution", instance.ExecutionId), Text("name", instance.Name), Text("version", instance.Version),
            Int("status", (int)P.OrchestrationStatus.Pending), Text("input", instance.Input), Time("start_at", instance.StartAt),
            Text("parent_id", instance.Parent?.InstanceId), Text("parent_execution", instance.Parent?.ExecutionId), Int("parent_task", instance.Parent?.TaskScheduledId),
            Bytes("event", instance.Started.ToByteArray())));
    }

    /// <inheritdoc/>
    public async Task<SendOutcome> SendAsync(string instanceId, P.HistoryEvent message, bool allowFinished, CancellationToken ct)
    {
        var outcome = await RunAsync(async (connection, ct) =>
        {
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            // The row lock orders this insert after any commit of the instance in progress (which may finish it).
            await using (var lockRow = new NpgsqlCommand(Sql.LockStatus, connection, tx))
            {
                lockRow.Parameters.Add(Text("id", instanceId));
                if (await lockRow.ExecuteScalarAsync(ct).ConfigureAwait(false) is not int status) return SendOutcome.NotFound;
                if (((P.OrchestrationStatus)status).IsFinished() && !allowFinished) return SendOutcome.Finished;
            }
            if (IsRewind(message))
            {
                await using var reopen = new NpgsqlCommand(Sql.Reopen, connection, tx);
                reopen.Parameters.Add(Text("id", instanceId));
                await reopen.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            await using (var insert = new NpgsqlCommand(Sql.InsertMessage, connection, tx))
            {
                insert.Parameters.AddRange(new NpgsqlParameter[] {Text("id", instanceId), Text("execution", null), Int("kind", (int)message.EventTypeCase),
                    Bytes("event", message.ToByteArray()), Time("visible", null)});
                await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return SendOutcome.Sent;
        }, ct).ConfigureAwait(false);
        if (outcome == SendOutcome.Sent)
        {
            Wake(WorkKind.Orchestration);
            if (IsRewind(message)) Changed(instanceId);
        }
        return outcome;
    }

    private static bool IsRewind(P.HistoryEvent message) => message.EventTypeCase == P.HistoryEvent.EventTypeOneofCase.ExecutionRewound;

    /// <inheritdoc/>
    public Task<InstanceRecord?> GetInstanceAsync(string instanceId, bool withPayloads, CancellationToken ct) => RunAsync(async (connection, ct) =>
    {
        await using var command = new NpgsqlCommand((withPayloads ? Sql.SelectInstanceWithPayloads : Sql.SelectInstance) + " WHERE instance_id = @id", connection);
        command.Parameters.Add(Text("id", instanceId));
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadInstance(reader) : null;
    }, ct);

    /// <inheritdoc/>
    public Task<InstancePage> QueryInstancesAsync(InstanceFilter filter, CancellationToken ct) => RunAsync(async (connection, ct) =>
    {
        var pageSize = Math.Clamp(filter.PageSize, 1, 1000);
        await using var command = new NpgsqlCommand { Connection = connection };
        var sql = new StringBuilder(filter.WithPayloads ? Sql.SelectInstanceWithPayloads : Sql.SelectInstance).Append(" WHERE TRUE");
        if (filter.Statuses.Count > 0) { sql.Append(" AND status = ANY(@statuses)"); command.Parameters.Add(IntArray("statuses", filter.Statuses.Select(s => (int)s))); }
        if (filter.CreatedFrom is { } from) { sql.Append(" AND created_at >= @from"); command.Parameters.Add(Time("from", from)); }
        if (filter.CreatedTo is { } to) { sql.Append(" AND created_at < @to"); command.Parameters.Add(Time("to", to)); }
        if (!string.IsNullOrEmpty(filter.InstanceIdPrefix)) { sql.Append(" AND starts_with(instance_id, @prefix)"); command.Parameters.Add(Text("prefix", filter.InstanceIdPrefix)); }
        if (filter.After is { } after)
        {
            // Keyset paging, newest first: stable while instances come and go between pages.
            sql.Append(" AND (created_at, instance_id) < (@after_time, @after_id)");
            command.Parameters.Add(Time("after_time", after.Time));
            command.Parameters.Add(Text("after_id", after.InstanceId));
        }
        sql.Append(" ORDER BY created_at DESC, instance_id DESC LIMIT @limit");
        command.Parameters.Add(Int("limit", pageSize + 1));
        command.CommandText = sql.ToString();
        var page = new List<InstanceRecord>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) page.Add(ReadInstance(reader));
        if (page.Count <= pageSize) return new InstancePage(page, null);
        page.RemoveAt(pageSize);
        return new InstancePage(page, new PageKey(page[^1].CreatedAt, page[^1].InstanceId));
    }, ct);

    /// <inheritdoc/>
    public Task<InstanceIdPage> ListInstanceIdsAsync(InstanceIdFilter filter, CancellationToken ct) => RunAsync(async (connection, ct) =>
    {
        var pageSize = Math.Clamp(filter.PageSize, 1, 1000);
        await using var command = new NpgsqlCommand { Connection = connection };
        var sql = new StringBuilder(Sql.ListIds);
        if (filter.Statuses.Count > 0) { sql.Append(" AND status = ANY(@statuses)"); command.Parameters.Add(IntArray("statuses", filter.Statuses.Select(s => (int)s))); }
        if (filter.CompletedFrom is { } from) { sql.Append(" AND completed_at >= @from"); command.Parameters.Add(Time("from", from)); }
        if (filter.CompletedTo is { } to) { sql.Append(" AND completed_at < @to"); command.Parameters.Add(Time("to", to)); }
        if (filter.After is { } after)
        {
            sql.Append(" AND (completed_at, instance_id) > (@after_time, @after_id)");
            command.Parameters.Add(Time("after_time", after.Time));
            command.Parameters.Add(Text("after_id", after.InstanceId));
        }
        sql.Append(" ORDER BY completed_at, instance_id LIMIT @limit");
        command.Parameters.Add(Int("limit", pageSize + 1));
        command.CommandText = sql.ToString();
        var ids = new List<string>();
        var last = default(PageKey);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            if (ids.Count == pageSize) return new InstanceIdPage(ids, last);
            ids.Add(reader.GetString(0));
            last = new PageKey(reader.GetFieldValue<DateTime>(1), ids[^1]);
        }
        return new InstanceIdPage(ids, null);
    }, ct);

    /// <inheritdoc/>
    public Task<IReadOnlyList<P.HistoryEvent>?> GetHistoryAsync(string instanceId, string? executionId, CancellationToken ct)
        => RunAsync<IReadOnlyList<P.HistoryEvent>?>(async (connection, ct) =>
        {
            // REPEATABLE READ: the history and the execution it belongs to come from one snapshot.
            await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
            await using (var check = new NpgsqlCommand(Sql.CurrentExecution, connection, tx))
            {
                check.Parameters.Add(Text("id", instanceId));
                if (await check.ExecuteScalarAsync(ct).ConfigureAwait(false) is not string current) return null;
                if (executionId is not null && executionId != current) return null;
            }
            await using var command = new NpgsqlCommand(Sql.History, connection, tx);
            command.Parameters.Add(Text("id", instanceId));
            var history = new List<P.HistoryEvent>();
            await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false)) history.Add(P.HistoryEvent.Parser.ParseFrom(reader.GetFieldValue<byte[]>(0)));
            }
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return history;
        }, ct);

    /// <inheritdoc/>
    public async Task<PurgeOutcome> PurgeInstanceAsync(string instanceId, bool recursive, CancellationToken ct)
    {
        var (outcome, purged) = await RunAsync(async (connection, ct) =>
        {
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            var tree = await TreeAsync(connection, tx, instanceId, ct).ConfigureAwait(false);
            if (tree.Count == 0) return (new PurgeOutcome(0, true), new List<string>());
            if (!tree[0].Status.IsFinished()) return (new PurgeOutcome(0, true, NotFinished: true), []);
            // Sub-orchestrations still running are left alone: purging them would lose work in progress.
            var ids = recursive ? tree.Where(t => t.Status.IsFinished()).Select(t => t.Id).ToList() : [instanceId];
            await DeleteAsync(connection, tx, ids, ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return (new PurgeOutcome(ids.Count, true), ids);
        }, ct).ConfigureAwait(false);
        foreach (var id in purged) Changed(id);
        return outcome;
    }

    /// <inheritdoc/>
    public async Task<PurgeOutcome> PurgeInstancesAsync(PurgeFilter filter, bool recursive, DateTimeOffset? deadline, CancellationToken ct)
    {
        const int batchSize = 500;
        var statuses = filter.Statuses.Count > 0 ? filter.Statuses.Where(s => s.IsFinished()).ToArray() : InstanceStatus.Finished.ToArray();
        if (statuses.Length == 0) return new PurgeOutcome(0, true);
        var total = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (deadline is { } d && DateTimeOffset.UtcNow >= d) return new PurgeOutcome(total, false);
            var (matched, deleted) = await RunAsync(async (connection, ct) =>
            {
                await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                var ids = new List<string>();
                await using (var select = new NpgsqlCommand { Connection = connection, Transaction = tx })
                {
                    var sql = new StringBuilder($"SELECT instance_id FROM {_s}.instances WHERE status = ANY(@statuses)");
                    select.Parameters.Add(IntArray("statuses", statuses.Select(s => (int)s)));
                    if (filter.CreatedFrom is { } from) { sql.Append(" AND created_at >= @from"); select.Parameters.Add(Time("from", from)); }
                    if (filter.CreatedTo is { } to) { sql.Append(" AND created_at < @to"); select.Parameters.Add(Time("to", to)); }
                    select.CommandText = sql.Append($" LIMIT {batchSize} FOR UPDATE SKIP LOCKED").ToString();
                    await using var reader = await select.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    while (await reader.ReadAsync(ct).ConfigureAwait(false)) ids.Add(reader.GetString(0));
                }
                var doomed = new List<string>();
                foreach (var id in ids)
                {
                    doomed.AddRange(recursive
                        ? (await TreeAsync(connection, tx, id, ct).ConfigureAwait(false)).Where(t => t.Status.IsFinished()).Select(t => t.Id)
                        : [id]);
                }
                doomed = doomed.Distinct().ToList();
                await DeleteAsync(connection, tx, doomed, ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return (ids.Count, doomed);
            }, ct).ConfigureAwait(false);
            total += deleted.Count;
            foreach (var id in deleted) Changed(id);
            if (matched < batchSize) return new PurgeOutcome(total, true);
        }
    }

    /// <inheritdoc/>
    public Task DeleteAllAsync(CancellationToken ct) => RunAsync(async (connection, ct) =>
    {
        await ExecuteAsync(connection, null, Sql.TruncateAll, ct).ConfigureAwait(false);
        return true;
    }, ct);

    private async Task<List<(string Id, P.OrchestrationStatus Status)>> TreeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string instanceId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(Sql.InstanceTree, connection, tx);
        command.Parameters.Add(Text("id", instanceId));
        var tree = new List<(string, P.OrchestrationStatus)>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) tree.Add((reader.GetString(0), (P.OrchestrationStatus)reader.GetInt32(1)));
        return tree;
    }

    private async Task DeleteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<string> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return;
        await using var batch = new NpgsqlBatch(connection, tx);
        foreach (var statement in Sql.DeleteInstances) batch.BatchCommands.Add(Command(statement, TextArray("ids", ids)));
        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static InstanceRecord ReadInstance(NpgsqlDataReader r) => new()
    {
        InstanceId = r.GetString(0),
        ExecutionId = r.GetString(1),
        Name = r.GetString(2),
        Version = r.IsDBNull(3) ? null : r.GetString(3),
        Status = (P.OrchestrationStatus)r.GetInt32(4),
        CreatedAt = r.GetFieldValue<DateTime>(5),
        LastUpdatedAt = r.GetFieldValue<DateTime>(6),
        CompletedAt = NullableTime(r, 7),
        ScheduledStartAt = NullableTime(r, 8),
        CustomStatus = r.IsDBNull(9) ? null : r.GetString(9),
        Failure = r.IsDBNull(10) ? null : P.TaskFailureDetails.Parser.ParseFrom(r.GetFieldValue<byte[]>(10)),
        Parent = r.IsDBNull(11) ? null : new ParentLink(r.GetString(11), r.GetString(12), r.GetInt32(13)),
        Input = r.IsDBNull(14) ? null : r.GetString(14),
        Output = r.IsDBNull(15) ? null : r.GetString(15),
    };
}
