using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Pipeline.Durable.Storage.Postgres;

/// <summary>
/// The engine's store on PostgreSQL, shared by any number of worker processes on any number of machines.
/// Work is claimed with <c>FOR UPDATE SKIP LOCKED</c> under leases (lock_owner, lock_expires) and every commit is
/// guarded by its lease; new work is announced with <c>NOTIFY</c> and picked up through <c>LISTEN</c>.
/// All times come from the <see cref="TimeProvider"/> given to the constructor and are stored as UTC ticks.
/// </summary>
/// <remarks>
/// Tables (in <c>schema</c>): <c>instances</c> (state, lease and <c>ready_at</c>: when the instance next has inbox
/// messages it can take), <c>history</c> (the current execution's events), <c>messages</c> (inboxes, including
/// timers: messages visible later) and <c>activities</c> (activity calls, leased like instances). The SQL and the
/// lock order that keeps concurrent transactions deadlock-free are in <see cref="PostgresSql"/>.
/// </remarks>
public sealed class PostgresOrchestrationStore : IOrchestrationStore
{
    internal const string OrchestrationPayload = "o";
    internal const string ActivityPayload = "a";

    /// <summary>SQLSTATE raised by the commit guard when the worker no longer holds the instance's lease.</summary>
    private const string LeaseLost = "PLLOS";
    private const int MaxAttempts = 8;
    private static readonly JsonSerializerOptions FailureJson = JsonSerializerOptions.Web;

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _clock;
    private readonly PostgresSql _sql;
    private readonly WorkSignal _orchestrationSignal = new();
    private readonly WorkSignal _activitySignal = new();
    private readonly PostgresNotifier _notifier;
    private readonly PostgresNotificationListener _listener;
    private int _disposed;

    /// <summary>Creates the store; call <see cref="InitializeAsync"/> before use.</summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="timeProvider">The engine clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="schema">The schema holding the tables (a plain identifier). Stores with different schemas in one database are independent.</param>
    public PostgresOrchestrationStore(string connectionString, TimeProvider? timeProvider = null, string schema = "durable")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _sql = new PostgresSql(schema);
        _clock = timeProvider ?? TimeProvider.System;
        // Statements are prepared on the server after their second use: the store runs the same few statements all day.
        // (Behind PgBouncer in transaction mode, put "Max Auto Prepare=0" in the connection string.)
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)) builder.MaxAutoPrepare = 64;
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        _listener = new PostgresNotificationListener(connectionString, _sql.Channel, _sql.ListenChannel, _orchestrationSignal, _activitySignal);
        _notifier = new PostgresNotifier(_dataSource, _sql.Channel);
    }

    /// <inheritdoc/>
    public string Kind => "postgres";

    /// <summary>The schema holding the store's tables.</summary>
    public string Schema => _sql.Schema;

    /// <summary>Inbox messages handed out with one orchestration work item at most (the rest come with later steps). Default 1000.</summary>
    public int MaxMessagesPerStep { get; init; } = 1000;

    /// <summary>
    /// How long after a step only the worker that ran it may take the instance's next step (it has the orchestration
    /// cached; another worker would replay its history). A worker that died or is busy loses the instance after this.
    /// </summary>
    public TimeSpan AffinityWindow { get; init; } = TimeSpan.FromMilliseconds(500);

    // ------------------------------------------------------------------ setup

    /// <inheritdoc/>
    public async Task InitializeAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await using (var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false))
        {
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await ExecuteAsync(connection, tx, _sql.AdvisoryLock, ct).ConfigureAwait(false);
            // CREATE SCHEMA checks the CREATE privilege on the database even when the schema exists; skip it then.
            await using (var exists = new NpgsqlCommand(_sql.SchemaExists, connection, tx))
            {
                exists.Parameters.Add(Text("schema", _sql.Schema));
                if (!(bool)(await exists.ExecuteScalarAsync(ct).ConfigureAwait(false))!)
                    await ExecuteAsync(connection, tx, _sql.CreateSchema, ct).ConfigureAwait(false);
            }
            await ExecuteAsync(connection, tx, _sql.CreateTables, ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }
        await _listener.StartAsync(ct).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ client operations

    /// <inheritdoc/>
    public async Task CreateInstanceAsync(NewOrchestrationInstance instance, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        await RunAsync(async (connection, ct) =>
        {
            var now = NowTicks();
            // One batch, one implicit transaction. When the id is taken, nothing is inserted (ON CONFLICT DO NOTHING).
            await using var batch = new NpgsqlBatch(connection);
            AddCreateInstances(batch, [instance], now);
            var insert = batch.BatchCommands[^1];
            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            // Not inserted: the id belongs to an active instance (or one created concurrently and just committed).
            if (insert.Rows == 0) throw new OrchestrationAlreadyExistsException(instance.InstanceId);
            return true;
        }, ct).ConfigureAwait(false);
        WakeOrchestrations();
    }

    /// <inheritdoc/>
    public async Task<SendResult> SendMessageAsync(string instanceId, HistoryEvent message, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        ArgumentNullException.ThrowIfNull(message);
        var result = await RunAsync(async (connection, ct) =>
        {
            var now = NowTicks();
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            // The row lock orders this insert after any commit of the instance in progress (which may finish it).
            string? status;
            await using (var lockRow = new NpgsqlCommand(_sql.LockInstanceStatus, connection, tx))
            {
                lockRow.Parameters.Add(Text("id", instanceId));
                status = (string?)await lockRow.ExecuteScalarAsync(ct).ConfigureAwait(false);
            }
            if (status is null) return SendResult.NotFound;
            if (ParseStatus(status).IsTerminal()) return SendResult.AlreadyFinished;

            await using var batch = new NpgsqlBatch(connection, tx);
            batch.BatchCommands.Add(Command(_sql.InsertMessage,
                Text("id", instanceId), Text("execution_id", null), Text("kind", message.Kind), Text("event", message.ToJson()), Bigint("visible_at", now)));
            batch.BatchCommands.Add(Command(_sql.MarkReady, Text("id", instanceId), Text("kind", message.Kind), Bigint("visible_at", now)));
            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return SendResult.Sent;
        }, ct).ConfigureAwait(false);
        if (result == SendResult.Sent) WakeOrchestrations();
        return result;
    }

    /// <inheritdoc/>
    public Task<OrchestrationMetadata?> GetInstanceAsync(string instanceId, bool includeInputsAndOutputs, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        return RunAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(includeInputsAndOutputs ? _sql.GetInstanceWithIo : _sql.GetInstanceWithoutIo, connection);
            command.Parameters.Add(Text("id", instanceId));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadMetadata(reader) : null;
        }, ct);
    }

    /// <inheritdoc/>
    public Task<OrchestrationQueryResult> QueryInstancesAsync(OrchestrationQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var pageSize = Math.Clamp(query.PageSize, 1, 1000);
        return RunAsync(async (connection, ct) =>
        {
            var after = query.ContinuationToken is null ? ((long, string)?)null : DecodeContinuationToken(query.ContinuationToken);
            await using var command = new NpgsqlCommand { Connection = connection };
            var sql = new StringBuilder(query.FetchInputsAndOutputs ? _sql.QueryInstancesWithIo : _sql.QueryInstancesWithoutIo);
            var conditions = new List<string>();
            if (query.Statuses is { Count: > 0 } statuses)
            {
                conditions.Add("status = ANY(@statuses)");
                command.Parameters.Add(TextArray("statuses", statuses.Select(s => s.ToString()).ToArray()));
            }
            if (query.CreatedFrom is { } from)
            {
                conditions.Add("created_at >= @created_from");
                command.Parameters.Add(Bigint("created_from", ToTicks(from)));
            }
            if (query.CreatedTo is { } to)
            {
                conditions.Add("created_at < @created_to");
                command.Parameters.Add(Bigint("created_to", ToTicks(to)));
            }
            if (!string.IsNullOrEmpty(query.InstanceIdPrefix))
            {
                conditions.Add("starts_with(instance_id, @prefix)");
                command.Parameters.Add(Text("prefix", query.InstanceIdPrefix));
            }
            if (after is var (afterCreated, afterId))
            {
                // Keyset paging: stable while instances are added or removed between pages.
                conditions.Add("(created_at, instance_id) < (@after_created, @after_id)");
                command.Parameters.Add(Bigint("after_created", afterCreated));
                command.Parameters.Add(Text("after_id", afterId));
            }
            if (conditions.Count > 0) sql.Append(" WHERE ").AppendJoin(" AND ", conditions);
            sql.Append(" ORDER BY created_at DESC, instance_id DESC LIMIT @limit");
            command.Parameters.Add(Integer("limit", pageSize + 1));
            command.CommandText = sql.ToString();

            var page = new List<OrchestrationMetadata>(Math.Min(pageSize, 128));
            var more = false;
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                if (page.Count == pageSize)
                {
                    more = true;
                    break;
                }
                page.Add(ReadMetadata(reader));
            }
            var token = more ? EncodeContinuationToken(ToTicks(page[^1].CreatedAt), page[^1].InstanceId) : null;
            return new OrchestrationQueryResult(page, token);
        }, ct);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string instanceId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        return RunAsync<IReadOnlyList<HistoryEvent>>(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(_sql.GetHistory, connection);
            command.Parameters.Add(Text("id", instanceId));
            var history = new List<HistoryEvent>();
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) history.Add(HistoryEvent.FromJson(reader.GetString(0)));
            return history;
        }, ct);
    }

    /// <inheritdoc/>
    public Task<bool> PurgeInstanceAsync(string instanceId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        return RunAsync(async (connection, ct) =>
        {
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            string? status;
            await using (var lockRow = new NpgsqlCommand(_sql.LockInstanceStatus, connection, tx))
            {
                lockRow.Parameters.Add(Text("id", instanceId));
                status = (string?)await lockRow.ExecuteScalarAsync(ct).ConfigureAwait(false);
            }
            if (status is null) return false;
            if (!ParseStatus(status).IsTerminal())
                throw new InvalidOperationException($"Orchestration instance '{instanceId}' is still running; terminate it first.");
            await using var batch = new NpgsqlBatch(connection, tx);
            foreach (var statement in _sql.PurgeInstance) batch.BatchCommands.Add(Command(statement, Text("id", instanceId)));
            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return true;
        }, ct);
    }

    // ------------------------------------------------------------------ orchestration work

    /// <inheritdoc/>
    public async Task<IReadOnlyList<OrchestrationWorkItem>> LockNextOrchestrationsAsync(string workerId, int max, TimeSpan lease, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        if (max <= 0) return [];
        var perStep = Math.Max(1, MaxMessagesPerStep);
        return await RunAsync<IReadOnlyList<OrchestrationWorkItem>>(async (connection, ct) =>
        {
            var now = NowTicks();
            var items = new List<OrchestrationWorkItem>();
            var empty = new List<string>();
            await using (var take = new NpgsqlCommand(_sql.LockNextInstances, connection))
            {
                take.Parameters.Add(Bigint("now", now));
                take.Parameters.Add(Integer("max", max));
                take.Parameters.Add(Text("worker", workerId));
                take.Parameters.Add(Bigint("expires", now + lease.Ticks));
                take.Parameters.Add(Integer("limit", perStep));
                await using var reader = await take.ExecuteReaderAsync(ct).ConfigureAwait(false);
                List<OrchestrationMessage>? messages = null;
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    var instanceId = reader.GetString(0);
                    if (items.Count == 0 || items[^1].InstanceId != instanceId)
                    {
                        messages = [];
                        items.Add(new OrchestrationWorkItem(instanceId, reader.GetString(1), reader.GetString(2), ParseStatus(reader.GetString(3)), reader.GetInt32(4), messages));
                    }
                    if (reader.IsDBNull(5)) continue;
                    messages!.Add(new OrchestrationMessage(reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetString(6), HistoryEvent.FromJson(reader.GetString(7))));
                }
            }

            // ready_at said there was something to take but there is not (should not happen; be robust): correct
            // ready_at and give the instance back rather than hand out an empty step.
            empty.AddRange(items.Where(i => i.Messages.Count == 0).Select(i => i.InstanceId));
            if (empty.Count > 0)
            {
                await using var release = new NpgsqlCommand(_sql.ReleaseInstances, connection);
                release.Parameters.Add(TextArray("ids", empty.ToArray()));
                release.Parameters.Add(Text("worker", workerId));
                await release.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            return items.Where(i => i.Messages.Count > 0).ToList();
        }, ct).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<bool> CommitOrchestrationAsync(OrchestrationCommit commit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(commit);
        foreach (var child in commit.SubOrchestrations)
        {
            if (child.Parent is null)
                throw new ArgumentException($"Sub-orchestration '{child.InstanceId}' has no parent.", nameof(commit));
        }
        var continuedAsNew = commit.ContinuedAsNewExecutionId is not null;
        var terminal = commit.Status.IsTerminal();

        // Every instance row this commit writes to; all locked up front by one statement, in key order (see PostgresSql).
        var touched = new HashSet<string>(StringComparer.Ordinal) { commit.InstanceId };
        foreach (var message in commit.Messages) touched.Add(message.InstanceId);
        foreach (var child in commit.SubOrchestrations) touched.Add(child.InstanceId);
        var touchedIds = touched.ToArray();

        var outcome = await RunAsync(async (connection, ct) =>
        {
            var now = NowTicks();
            // One batch, one round trip, one implicit transaction: if any statement fails, none of it happened.
            await using var batch = new NpgsqlBatch(connection);
            // The lease guard comes first. With the rows locked, nobody can take the lease over until we commit; if it
            // was taken over before (expired and leased by another worker, or already committed by us), the guard
            // fails the batch and nothing changes. history_count also catches a second work item for the same step (a
            // lease that expired and was re-taken by the same worker): only the first of the two commits.
            batch.BatchCommands.Add(Command(_sql.LockForStep, TextArray("ids", touchedIds), Text("id", commit.InstanceId),
                Text("worker", commit.WorkerId), Text("execution_id", commit.ExecutionId), Integer("expected", commit.ExpectedHistoryCount)));
            var id = Text("id", commit.InstanceId);

            if (commit.ConsumedMessageIds.Count > 0)
                batch.BatchCommands.Add(Command(_sql.DeleteConsumedMessages, id.Clone(), BigintArray("message_ids", commit.ConsumedMessageIds.ToArray())));

            if (continuedAsNew)
            {
                batch.BatchCommands.Add(Command(_sql.DeleteHistory, id.Clone()));
            }
            else if (commit.NewHistory.Count > 0)
            {
                batch.BatchCommands.Add(Command(_sql.AppendHistory, id.Clone(), Integer("first_seq", commit.ExpectedHistoryCount),
                    TextArray("events", commit.NewHistory.Select(e => e.ToJson()).ToArray())));
            }

            if (commit.Activities.Count > 0)
            {
                var activities = commit.Activities;
                batch.BatchCommands.Add(Command(_sql.InsertActivities,
                    TextArray("ids", activities.Select(a => a.InstanceId).ToArray()),
                    TextArray("execution_ids", activities.Select(a => a.ExecutionId).ToArray()),
                    IntegerArray("task_ids", activities.Select(a => a.TaskScheduledId).ToArray()),
                    TextArray("names", activities.Select(a => a.Name).ToArray()),
                    TextArray("inputs", activities.Select(a => a.Input).ToArray()),
                    Bigint("now", now)));
            }

            // Children before messages: an event sent to a child created in the same step must find it.
            if (commit.SubOrchestrations.Count > 0)
            {
                var children = commit.SubOrchestrations;
                AddCreateInstances(batch, children, now);
                var failures = children.Select(c => new SubOrchestrationFailedEvent(c.Parent!.TaskScheduledId,
                    new TaskFailureDetails(typeof(OrchestrationAlreadyExistsException).FullName!, new OrchestrationAlreadyExistsException(c.InstanceId).Message))
                {
                    Timestamp = FromTicks(now),
                }.ToJson()).ToArray();
                batch.BatchCommands.Add(Command(_sql.InsertChildFailures,
                    Text("parent_id", commit.InstanceId), Text("parent_execution_id", commit.ExecutionId),
                    TextArray("ids", children.Select(c => c.InstanceId).ToArray()),
                    TextArray("execution_ids", children.Select(c => c.ExecutionId).ToArray()),
                    TextArray("failure_events", failures),
                    Bigint("now", now)));
            }

            if (commit.Messages.Count > 0)
            {
                var messages = commit.Messages;
                batch.BatchCommands.Add(Command(_sql.InsertOutboundMessages,
                    TextArray("ids", messages.Select(m => m.InstanceId).ToArray()),
                    TextArray("execution_ids", messages.Select(m => m.ExecutionId).ToArray()),
                    TextArray("kinds", messages.Select(m => m.Event.Kind).ToArray()),
                    TextArray("events", messages.Select(m => m.Event.ToJson()).ToArray()),
                    BigintArray("visible_ats", messages.Select(m => ToTicks(m.VisibleAt)).ToArray())));
            }

            batch.BatchCommands.Add(Command(_sql.UpdateInstanceAfterStep,
                id.Clone(),
                Text("status", commit.Status.ToString()),
                Text("output", commit.Output),
                Text("failure", commit.Failure is null ? null : JsonSerializer.Serialize(commit.Failure, FailureJson)),
                Text("custom_status", commit.CustomStatus),
                Text("input", commit.Input),
                Text("new_execution_id", commit.ContinuedAsNewExecutionId ?? commit.ExecutionId),
                Bigint("now", now),
                Bigint("completed_at", terminal ? now : null),
                Integer("history_count", continuedAsNew ? 0 : commit.ExpectedHistoryCount + commit.NewHistory.Count),
                Text("worker", commit.WorkerId),
                Bigint("affinity_expires", now + AffinityWindow.Ticks)));

            if (terminal)
            {
                batch.BatchCommands.Add(Command(_sql.DeleteInbox, id.Clone()));
                batch.BatchCommands.Add(Command(_sql.DeleteIdleActivities, id.Clone(), Bigint("now", now)));
            }

            // The step's own ready_at was set with its status; instances it sent messages to need theirs again.
            var others = touchedIds.Where(t => t != commit.InstanceId).ToArray();
            if (others.Length > 0) batch.BatchCommands.Add(Command(_sql.RecomputeReadyAt, TextArray("ids", others)));

            try
            {
                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == LeaseLost)
            {
                return (Committed: false, WakeOrchestrations: false, WakeActivities: false);
            }
            return (Committed: true, WakeOrchestrations: commit.Messages.Count > 0 || commit.SubOrchestrations.Count > 0,
                WakeActivities: commit.Activities.Count > 0 && !terminal);
        }, ct).ConfigureAwait(false);

        if (outcome.WakeOrchestrations) WakeOrchestrations();
        if (outcome.WakeActivities) WakeActivities();
        return outcome.Committed;
    }

    /// <inheritdoc/>
    public Task AbandonOrchestrationAsync(OrchestrationWorkItem item, string workerId, TimeSpan delay, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        return RunAsync(async (connection, ct) =>
        {
            var now = NowTicks();
            await using var command = new NpgsqlCommand(_sql.AbandonInstance, connection);
            command.Parameters.Add(Text("id", item.InstanceId));
            command.Parameters.Add(Text("worker", workerId));
            command.Parameters.Add(Bigint("not_before", now + Math.Max(0, delay.Ticks)));
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, ct);
    }

    // ------------------------------------------------------------------ activity work

    /// <inheritdoc/>
    public Task<IReadOnlyList<ActivityWorkItem>> LockNextActivitiesAsync(string workerId, int max, TimeSpan lease, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        if (max <= 0) return Task.FromResult<IReadOnlyList<ActivityWorkItem>>([]);
        return RunAsync<IReadOnlyList<ActivityWorkItem>>(async (connection, ct) =>
        {
            var now = NowTicks();
            await using var command = new NpgsqlCommand(_sql.LockNextActivities, connection);
            command.Parameters.Add(Bigint("now", now));
            command.Parameters.Add(Integer("max", max));
            command.Parameters.Add(Text("worker", workerId));
            command.Parameters.Add(Bigint("expires", now + lease.Ticks));
            var items = new List<ActivityWorkItem>();
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                items.Add(new ActivityWorkItem(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3),
                    reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetInt32(6)));
            }
            items.Sort((a, b) => a.Id.CompareTo(b.Id));
            return items;
        }, ct);
    }

    /// <inheritdoc/>
    public async Task CompleteActivitiesAsync(string workerId, IReadOnlyList<ActivityResult> results, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        ArgumentNullException.ThrowIfNull(results);
        // One result per work item: the same item twice would otherwise record its result twice.
        var unique = results.DistinctBy(r => r.WorkItem.Id).ToArray();
        if (unique.Length == 0) return;
        var targets = unique.Select(r => r.WorkItem.InstanceId).Distinct(StringComparer.Ordinal).ToArray();

        var wake = await RunAsync(async (connection, ct) =>
        {
            var now = NowTicks();
            // One batch: one round trip, one implicit transaction.
            await using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(Command(_sql.LockInstances, TextArray("ids", targets)));
            batch.BatchCommands.Add(Command(_sql.CompleteActivities,
                Text("worker", workerId),
                BigintArray("activity_ids", unique.Select(r => r.WorkItem.Id).ToArray()),
                TextArray("instance_ids", unique.Select(r => r.WorkItem.InstanceId).ToArray()),
                TextArray("execution_ids", unique.Select(r => r.WorkItem.ExecutionId).ToArray()),
                TextArray("kinds", unique.Select(r => r.Result.Kind).ToArray()),
                TextArray("events", unique.Select(r => r.Result.ToJson()).ToArray()),
                Bigint("now", now)));
            batch.BatchCommands.Add(Command(_sql.RecomputeReadyAt, TextArray("ids", targets)));
            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return true;
        }, ct).ConfigureAwait(false);
        if (wake) WakeOrchestrations();
    }

    /// <inheritdoc/>
    public Task RenewLeasesAsync(string workerId, TimeSpan lease, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        return RunAsync(async (connection, ct) =>
        {
            var expires = NowTicks() + lease.Ticks;
            // Two statements, each its own transaction: instance locks are not held while waiting for activity rows.
            foreach (var sql in new[] { _sql.RenewInstanceLeases, _sql.RenewActivityLeases })
            {
                await using var command = new NpgsqlCommand(sql, connection);
                command.Parameters.Add(Text("worker", workerId));
                command.Parameters.Add(Bigint("expires", expires));
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            return true;
        }, ct);
    }

    // ------------------------------------------------------------------ signalling and health

    /// <inheritdoc/>
    public Task WaitForWorkAsync(WorkKind kind, TimeSpan maxWait, CancellationToken ct)
        => (kind == WorkKind.Activity ? _activitySignal : _orchestrationSignal).WaitAsync(maxWait, ct);

    /// <inheritdoc/>
    public async Task<StoreHealth> GetHealthAsync(CancellationToken ct = default)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(_sql.Health, connection);
            command.Parameters.Add(Bigint("now", NowTicks()));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            return new StoreHealth(true, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }
        catch (Exception e)
        {
            return new StoreHealth(false, 0, 0, 0, e.Message);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _listener.DisposeAsync().ConfigureAwait(false);
        await _notifier.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>
    /// Adds the statements creating <paramref name="instances"/>: finished instances with the same ids are replaced,
    /// active ones are left alone. The last statement added reports how many were created.
    /// </summary>
    private void AddCreateInstances(NpgsqlBatch batch, IReadOnlyList<NewOrchestrationInstance> instances, long now)
    {
        var ids = instances.Select(i => i.InstanceId).ToArray();
        batch.BatchCommands.Add(Command(_sql.DeleteFinishedInstances, TextArray("ids", ids)));
        batch.BatchCommands.Add(Command(_sql.InsertInstances,
            TextArray("ids", ids),
            TextArray("execution_ids", instances.Select(i => i.ExecutionId).ToArray()),
            TextArray("names", instances.Select(i => i.Name).ToArray()),
            TextArray("inputs", instances.Select(i => i.Input).ToArray()),
            BigintArray("created_ats", instances.Select(i => ToTicks(i.CreatedAt)).ToArray()),
            TextArray("parent_ids", instances.Select(i => i.Parent?.InstanceId).ToArray()),
            TextArray("parent_execution_ids", instances.Select(i => i.Parent?.ExecutionId).ToArray()),
            new NpgsqlParameter("parent_task_ids", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = instances.Select(i => i.Parent?.TaskScheduledId).ToArray() },
            TextArray("parent_names", instances.Select(i => i.Parent?.Name).ToArray()),
            TextArray("started_events", instances.Select(i =>
                new ExecutionStartedEvent(i.Name, i.Input, i.ExecutionId, i.Parent) { Timestamp = i.CreatedAt }.ToJson()).ToArray()),
            Bigint("now", now)));
    }

    // Workers in this process wake at once; other processes through NOTIFY, sent after the commit and coalesced
    // (a NOTIFY inside each transaction would serialize every commit on PostgreSQL's notification queue lock).
    private void WakeOrchestrations()
    {
        _orchestrationSignal.Set();
        _notifier.Publish(OrchestrationPayload);
    }

    private void WakeActivities()
    {
        _activitySignal.Set();
        _notifier.Publish(ActivityPayload);
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a pooled connection. Transactions that PostgreSQL aborted because of a deadlock
    /// or a serialization failure changed nothing and are run again.
    /// </summary>
    private async Task<T> RunAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                return await work(connection, ct).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < MaxAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10) * attempt), ct).ConfigureAwait(false);
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static OrchestrationMetadata ReadMetadata(NpgsqlDataReader reader)
        // instance_id, name, status, created_at, updated_at, custom_status, failure, input, output
        => new(reader.GetString(1), reader.GetString(0))
        {
            RuntimeStatus = ParseStatus(reader.GetString(2)),
            CreatedAt = FromTicks(reader.GetInt64(3)),
            LastUpdatedAt = FromTicks(reader.GetInt64(4)),
            SerializedCustomStatus = reader.IsDBNull(5) ? null : reader.GetString(5),
            FailureDetails = reader.IsDBNull(6) ? null : JsonSerializer.Deserialize<TaskFailureDetails>(reader.GetString(6), FailureJson),
            SerializedInput = reader.IsDBNull(7) ? null : reader.GetString(7),
            SerializedOutput = reader.IsDBNull(8) ? null : reader.GetString(8),
        };

    private long NowTicks() => _clock.GetUtcNow().UtcDateTime.Ticks;

    /// <summary>UTC ticks; unspecified kinds are taken as UTC (the engine only produces UTC times).</summary>
    private static long ToTicks(DateTime time) => time.Kind == DateTimeKind.Local ? time.ToUniversalTime().Ticks : time.Ticks;

    private static DateTime FromTicks(long ticks) => new(ticks, DateTimeKind.Utc);

    private static OrchestrationRuntimeStatus ParseStatus(string status) => Enum.Parse<OrchestrationRuntimeStatus>(status);

    private static string EncodeContinuationToken(long createdAt, string instanceId)
        => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(createdAt.ToString(CultureInfo.InvariantCulture) + ":" + instanceId));

    private static (long CreatedAt, string InstanceId) DecodeContinuationToken(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            var colon = text.IndexOf(':');
            if (colon > 0 && long.TryParse(text.AsSpan(0, colon), NumberStyles.Integer, CultureInfo.InvariantCulture, out var createdAt))
                return (createdAt, text[(colon + 1)..]);
        }
        catch (FormatException)
        {
        }
        throw new ArgumentException("The continuation token is not valid.", "query");
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter Text(string name, string? value)
        => new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter Bigint(string name, long? value)
        => new(name, NpgsqlDbType.Bigint) { Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter Integer(string name, int value)
        => new(name, NpgsqlDbType.Integer) { Value = value };

    private static NpgsqlParameter TextArray(string name, string?[] values)
        => new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values };

    private static NpgsqlParameter BigintArray(string name, long[] values)
        => new(name, NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = values };

    private static NpgsqlParameter IntegerArray(string name, int[] values)
        => new(name, NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = values };
}
