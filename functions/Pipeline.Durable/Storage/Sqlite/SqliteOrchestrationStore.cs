using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Pipeline.Durable.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, written by one thread with group commit, read by many.
/// One process owns the file at a time (an exclusive lock file), so leases left by a crashed process are
/// released at start and its work resumes at once. Commits survive a process crash (WAL, synchronous=NORMAL).
/// </summary>
public sealed class SqliteOrchestrationStore : IOrchestrationStore
{
    private const string Terminal = "('Completed','Failed','Terminated')";
    private const string ControlKinds = "('ExecutionTerminatedEvent','ExecutionResumedEvent')";

    private readonly string _path;
    private readonly TimeProvider _clock;
    private readonly string _connectionString;
    private readonly WorkSignal _orchestrationWork = new();
    private readonly WorkSignal _activityWork = new();
    private SqliteWriter? _writer;
    private FileStream? _ownership;

    /// <summary>A store in the SQLite file at <paramref name="databasePath"/> (created when missing).</summary>
    public SqliteOrchestrationStore(string databasePath, TimeProvider? timeProvider = null)
    {
        _path = Path.GetFullPath(databasePath);
        _clock = timeProvider ?? TimeProvider.System;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = _path, Pooling = true, DefaultTimeout = 30 }.ToString();
    }

    /// <inheritdoc/>
    public string Kind => "sqlite";

    /// <summary>Inbox messages one step takes at most.</summary>
    public int MaxMessagesPerStep { get; init; } = 1000;

    private SqliteWriter Writer => _writer ?? throw new InvalidOperationException("Call InitializeAsync before using the store.");

    private long Now => _clock.GetUtcNow().UtcTicks;

    /// <inheritdoc/>
    public async Task InitializeAsync(CancellationToken ct = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        try
        {
            _ownership = new FileStream(_path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new InvalidOperationException($"Another Pipeline process is already using the durable store '{_path}'. " +
                "Stop it, or give this process its own data directory (PIPELINE_DATA); to share one store between processes use PostgreSQL.");
        }
        using (var connection = new SqliteConnection(_connectionString))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL;" + SqliteSchema.Create;
            command.ExecuteNonQuery();
        }
        _writer = new SqliteWriter(_connectionString);
        await Writer.WriteAsync(w =>
        {
            // We own the file now: whatever an earlier (crashed) process had leased is free again.
            w.Execute("UPDATE instances SET lock_owner = NULL, lock_expires = NULL WHERE lock_owner IS NOT NULL");
            w.Execute("UPDATE activities SET lock_owner = NULL, lock_expires = NULL WHERE lock_owner IS NOT NULL");
            return 0;
        });
    }

    /// <inheritdoc/>
    public async Task CreateInstanceAsync(NewOrchestrationInstance instance, CancellationToken ct = default)
    {
        await Writer.WriteAsync(w =>
        {
            var status = StatusOf(w, instance.InstanceId);
            if (status is { } current && !current.IsTerminal())
                throw new OrchestrationAlreadyExistsException(instance.InstanceId);
            CreateInstance(w, instance, Now);
            return 0;
        });
        _orchestrationWork.Set();
    }

    /// <inheritdoc/>
    public async Task<SendResult> SendMessageAsync(string instanceId, HistoryEvent message, CancellationToken ct = default)
    {
        var json = message.ToJson();
        var result = await Writer.WriteAsync(w => SendMessage(w, instanceId, null, message.Kind, json, Now));
        if (result == SendResult.Sent) _orchestrationWork.Set();
        return result;
    }

    /// <inheritdoc/>
    public async Task<OrchestrationMetadata?> GetInstanceAsync(string instanceId, bool includeInputsAndOutputs, CancellationToken ct = default)
    {
        await using var connection = await OpenReadAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SqliteSchema.InstanceColumns} FROM instances WHERE instance_id = @id";
        command.Parameters.AddWithValue("@id", instanceId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? SqliteSchema.ReadInstance(reader, includeInputsAndOutputs) : null;
    }

    /// <inheritdoc/>
    public async Task<OrchestrationQueryResult> QueryInstancesAsync(OrchestrationQuery query, CancellationToken ct = default)
    {
        var pageSize = Math.Clamp(query.PageSize, 1, 1000);
        var sql = new StringBuilder($"SELECT {SqliteSchema.InstanceColumns} FROM instances WHERE 1 = 1");
        await using var connection = await OpenReadAsync(ct);
        await using var command = connection.CreateCommand();
        if (query.Statuses is { Count: > 0 } statuses)
        {
            var names = statuses.Select((s, i) => (Name: $"@s{i}", Value: s.ToString())).ToList();
            sql.Append($" AND status IN ({string.Join(",", names.Select(n => n.Name))})");
            foreach (var (name, value) in names) command.Parameters.AddWithValue(name, value);
        }
        if (query.CreatedFrom is { } from) { sql.Append(" AND created_at >= @from"); command.Parameters.AddWithValue("@from", from.ToUniversalTime().Ticks); }
        if (query.CreatedTo is { } to) { sql.Append(" AND created_at < @to"); command.Parameters.AddWithValue("@to", to.ToUniversalTime().Ticks); }
        if (!string.IsNullOrEmpty(query.InstanceIdPrefix))
        {
            sql.Append(" AND substr(instance_id, 1, length(@prefix)) = @prefix");
            command.Parameters.AddWithValue("@prefix", query.InstanceIdPrefix);
        }
        if (ContinuationToken.TryParse(query.ContinuationToken, out var afterCreated, out var afterId))
        {
            sql.Append(" AND (created_at < @afterCreated OR (created_at = @afterCreated AND instance_id < @afterId))");
            command.Parameters.AddWithValue("@afterCreated", afterCreated);
            command.Parameters.AddWithValue("@afterId", afterId);
        }
        sql.Append(" ORDER BY created_at DESC, instance_id DESC LIMIT @limit");
        command.Parameters.AddWithValue("@limit", pageSize + 1);
        command.CommandText = sql.ToString();

        var page = new List<OrchestrationMetadata>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) page.Add(SqliteSchema.ReadInstance(reader, query.FetchInputsAndOutputs));
        string? token = null;
        if (page.Count > pageSize)
        {
            page.RemoveAt(pageSize);
            token = ContinuationToken.Create(page[^1].CreatedAt.Ticks, page[^1].InstanceId);
        }
        return new OrchestrationQueryResult(page, token);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string instanceId, CancellationToken ct = default)
    {
        await using var connection = await OpenReadAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT event FROM history WHERE instance_id = @id ORDER BY seq";
        command.Parameters.AddWithValue("@id", instanceId);
        var history = new List<HistoryEvent>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) history.Add(HistoryEvent.FromJson(reader.GetString(0)));
        return history;
    }

    /// <inheritdoc/>
    public Task<bool> PurgeInstanceAsync(string instanceId, CancellationToken ct = default)
        => Writer.WriteAsync(w =>
        {
            var status = StatusOf(w, instanceId);
            if (status is null) return false;
            if (!status.Value.IsTerminal())
                throw new InvalidOperationException($"Orchestration '{instanceId}' is still {status}; terminate it before purging.");
            DeleteInstance(w, instanceId);
            return true;
        });

    /// <inheritdoc/>
    public async Task<IReadOnlyList<OrchestrationWorkItem>> LockNextOrchestrationsAsync(string workerId, int max, TimeSpan lease, CancellationToken ct = default)
    {
        var locked = await Writer.WriteAsync(w =>
        {
            var now = Now;
            var candidates = new List<(string Id, string ExecutionId, string Name, string Status, int HistoryCount)>();
            using (var reader = w.Query(
                "SELECT instance_id, execution_id, name, status, history_count FROM instances " +
                "WHERE ready_at <= @now AND (lock_expires IS NULL OR lock_expires < @now) ORDER BY ready_at LIMIT @max",
                ("@now", now), ("@max", max)))
            {
                while (reader.Read()) candidates.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4)));
            }

            var items = new List<(string Id, string ExecutionId, string Name, string Status, int HistoryCount, List<(long Id, string? ExecutionId, string Event)> Messages)>();
            foreach (var c in candidates)
            {
                var messages = new List<(long, string?, string)>();
                using (var reader = w.Query(
                    "SELECT id, execution_id, event FROM messages WHERE instance_id = @id AND visible_at <= @now " +
                    $"AND (@suspended = 0 OR kind IN {ControlKinds}) ORDER BY id LIMIT @limit",
                    ("@id", c.Id), ("@now", now), ("@suspended", c.Status == nameof(OrchestrationRuntimeStatus.Suspended) ? 1 : 0), ("@limit", MaxMessagesPerStep)))
                {
                    while (reader.Read()) messages.Add((reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2)));
                }
                if (messages.Count == 0)
                {
                    RecomputeReadyAt(w, c.Id);
                    continue;
                }
                w.Execute("UPDATE instances SET lock_owner = @worker, lock_expires = @expires WHERE instance_id = @id",
                    ("@worker", workerId), ("@expires", now + lease.Ticks), ("@id", c.Id));
                items.Add((c.Id, c.ExecutionId, c.Name, c.Status, c.HistoryCount, messages));
            }
            return items;
        });
        // Parsing happens here, off the writer thread.
        return locked.Select(i => new OrchestrationWorkItem(i.Id, i.ExecutionId, i.Name, Enum.Parse<OrchestrationRuntimeStatus>(i.Status), i.HistoryCount,
            i.Messages.Select(m => new OrchestrationMessage(m.Id, m.ExecutionId, HistoryEvent.FromJson(m.Event))).ToList())).ToList();
    }

    /// <inheritdoc/>
    public async Task<bool> CommitOrchestrationAsync(OrchestrationCommit commit, CancellationToken ct = default)
    {
        var prepared = new PreparedCommit(commit);
        var committed = await Writer.WriteAsync(w => Commit(w, commit, prepared));
        if (committed)
        {
            if (commit.Messages.Count > 0 || commit.SubOrchestrations.Count > 0) _orchestrationWork.Set();
            if (commit.Activities.Count > 0) _activityWork.Set();
        }
        return committed;
    }

    /// <summary>Everything of a commit that can be serialized before it reaches the writer thread.</summary>
    private sealed class PreparedCommit(OrchestrationCommit commit)
    {
        public string ConsumedIds { get; } = JsonSerializer.Serialize(commit.ConsumedMessageIds);
        public string History { get; } = "[" + string.Join(",", commit.NewHistory.Select(e => e.ToJson())) + "]";
        public string Activities { get; } = JsonSerializer.Serialize(commit.Activities.Select(a => new { t = a.TaskScheduledId, n = a.Name, i = a.Input }));
        public string? Failure { get; } = commit.Failure is null ? null : SqliteSchema.FailureToJson(commit.Failure);
        public List<(OutboundMessage Message, string Json)> Messages { get; } = commit.Messages.Select(m => (m, m.Event.ToJson())).ToList();
    }

    private bool Commit(SqliteWriter w, OrchestrationCommit commit, PreparedCommit prepared)
    {
        var now = Now;
        var terminal = commit.Status.IsTerminal();
        var executionId = commit.ContinuedAsNewExecutionId ?? commit.ExecutionId;
        var historyCount = commit.ContinuedAsNewExecutionId is null ? commit.ExpectedHistoryCount + commit.NewHistory.Count : 0;

        // The lease guard: only the worker holding the lease, on the execution and history it read, may commit.
        var guarded = w.Execute(
            "UPDATE instances SET execution_id = @newExecution, status = @status, output = @output, failure = @failure, custom_status = @custom, " +
            "input = COALESCE(@input, input), updated_at = @now, completed_at = @completed, history_count = @count, lock_owner = NULL, lock_expires = NULL " +
            "WHERE instance_id = @id AND lock_owner = @worker AND execution_id = @execution AND history_count = @expected",
            ("@newExecution", executionId), ("@status", commit.Status.ToString()), ("@output", commit.Output), ("@failure", prepared.Failure),
            ("@custom", commit.CustomStatus), ("@input", commit.Input), ("@now", now), ("@completed", terminal ? now : null), ("@count", historyCount),
            ("@id", commit.InstanceId), ("@worker", commit.WorkerId), ("@execution", commit.ExecutionId), ("@expected", commit.ExpectedHistoryCount));
        if (guarded != 1) return false;

        w.Execute("DELETE FROM messages WHERE id IN (SELECT value FROM json_each(@ids))", ("@ids", prepared.ConsumedIds));
        if (commit.ContinuedAsNewExecutionId is not null)
        {
            w.Execute("DELETE FROM history WHERE instance_id = @id", ("@id", commit.InstanceId));
        }
        else if (commit.NewHistory.Count > 0)
        {
            w.Execute("INSERT INTO history (instance_id, seq, event) SELECT @id, @first + key, value FROM json_each(@events)",
                ("@id", commit.InstanceId), ("@first", commit.ExpectedHistoryCount), ("@events", prepared.History));
        }
        if (commit.Activities.Count > 0)
        {
            w.Execute(
                "INSERT INTO activities (instance_id, execution_id, task_id, name, input, visible_at) " +
                "SELECT @id, @execution, json_extract(value, '$.t'), json_extract(value, '$.n'), json_extract(value, '$.i'), @now FROM json_each(@activities)",
                ("@id", commit.InstanceId), ("@execution", commit.ExecutionId), ("@now", now), ("@activities", prepared.Activities));
        }

        foreach (var child in commit.SubOrchestrations)
        {
            var status = StatusOf(w, child.InstanceId);
            if (status is null || status.Value.IsTerminal())
            {
                CreateInstance(w, child, now);
            }
            else
            {
                var failure = new TaskFailureDetails(typeof(OrchestrationAlreadyExistsException).FullName!, new OrchestrationAlreadyExistsException(child.InstanceId).Message);
                var message = new SubOrchestrationFailedEvent(child.Parent!.TaskScheduledId, failure) { Timestamp = new DateTime(now, DateTimeKind.Utc) };
                InsertMessage(w, commit.InstanceId, executionId, message.Kind, message.ToJson(), now);
            }
        }

        foreach (var (m, json) in prepared.Messages)
        {
            if (m.InstanceId == commit.InstanceId) InsertMessage(w, m.InstanceId, m.ExecutionId, m.Event.Kind, json, m.VisibleAt.Ticks);
            else SendMessage(w, m.InstanceId, m.ExecutionId, m.Event.Kind, json, m.VisibleAt.Ticks);
        }

        if (terminal)
        {
            w.Execute("DELETE FROM messages WHERE instance_id = @id", ("@id", commit.InstanceId));
            w.Execute("DELETE FROM activities WHERE instance_id = @id AND lock_owner IS NULL", ("@id", commit.InstanceId));
        }
        RecomputeReadyAt(w, commit.InstanceId);
        return true;
    }

    /// <inheritdoc/>
    public Task AbandonOrchestrationAsync(OrchestrationWorkItem item, string workerId, TimeSpan delay, CancellationToken ct = default)
        => Writer.WriteAsync(w =>
        {
            var changed = w.Execute("UPDATE instances SET lock_owner = NULL, lock_expires = NULL WHERE instance_id = @id AND lock_owner = @worker",
                ("@id", item.InstanceId), ("@worker", workerId));
            if (changed == 1)
            {
                RecomputeReadyAt(w, item.InstanceId);
                w.Execute("UPDATE instances SET ready_at = MAX(ready_at, @after) WHERE instance_id = @id AND ready_at IS NOT NULL",
                    ("@after", Now + delay.Ticks), ("@id", item.InstanceId));
            }
            return changed;
        });

    /// <inheritdoc/>
    public Task<IReadOnlyList<ActivityWorkItem>> LockNextActivitiesAsync(string workerId, int max, TimeSpan lease, CancellationToken ct = default)
        => Writer.WriteAsync<IReadOnlyList<ActivityWorkItem>>(w =>
        {
            var now = Now;
            var items = new List<ActivityWorkItem>();
            using (var reader = w.Query(
                "UPDATE activities SET lock_owner = @worker, lock_expires = @expires, dequeue_count = dequeue_count + 1 " +
                "WHERE id IN (SELECT id FROM activities WHERE visible_at <= @now AND (lock_expires IS NULL OR lock_expires < @now) ORDER BY id LIMIT @max) " +
                "RETURNING id, instance_id, execution_id, task_id, name, input, dequeue_count",
                ("@worker", workerId), ("@expires", now + lease.Ticks), ("@now", now), ("@max", max)))
            {
                while (reader.Read())
                {
                    items.Add(new ActivityWorkItem(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3),
                        reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetInt32(6)));
                }
            }
            return items;
        });

    /// <inheritdoc/>
    public async Task CompleteActivitiesAsync(string workerId, IReadOnlyList<ActivityResult> results, CancellationToken ct = default)
    {
        if (results.Count == 0) return;
        var ids = JsonSerializer.Serialize(results.Select(r => r.WorkItem.Id));
        var byId = results.ToDictionary(r => r.WorkItem.Id, r => JsonSerializer.Serialize(new
        {
            instance = r.WorkItem.InstanceId, execution = r.WorkItem.ExecutionId, kind = r.Result.Kind, @event = r.Result.ToJson(),
        }));
        await Writer.WriteAsync(w =>
        {
            var now = Now;
            // Deleting the work items we still lease is what makes each result count once: a worker whose lease
            // was taken over deletes nothing and records nothing.
            var accepted = new List<string>(results.Count);
            using (var reader = w.Query("DELETE FROM activities WHERE id IN (SELECT value FROM json_each(@ids)) AND lock_owner = @worker RETURNING id",
                ("@ids", ids), ("@worker", workerId)))
            {
                while (reader.Read()) accepted.Add(byId[reader.GetInt64(0)]);
            }
            if (accepted.Count == 0) return 0;
            var batch = "[" + string.Join(",", accepted) + "]";
            w.Execute(
                "INSERT INTO messages (instance_id, execution_id, kind, event, visible_at) " +
                "SELECT json_extract(r.value, '$.instance'), json_extract(r.value, '$.execution'), json_extract(r.value, '$.kind'), json_extract(r.value, '$.event'), @now " +
                $"FROM json_each(@batch) r JOIN instances i ON i.instance_id = json_extract(r.value, '$.instance') WHERE i.status NOT IN {Terminal}",
                ("@batch", batch), ("@now", now));
            w.Execute(
                "UPDATE instances SET ready_at = MIN(COALESCE(ready_at, @now), @now) " +
                $"WHERE instance_id IN (SELECT json_extract(value, '$.instance') FROM json_each(@batch)) AND status NOT IN {Terminal} AND status <> 'Suspended'",
                ("@batch", batch), ("@now", now));
            return accepted.Count;
        });
        _orchestrationWork.Set();
    }

    /// <inheritdoc/>
    public Task RenewLeasesAsync(string workerId, TimeSpan lease, CancellationToken ct = default)
        => Writer.WriteAsync(w =>
        {
            var expires = Now + lease.Ticks;
            w.Execute("UPDATE instances SET lock_expires = @expires WHERE lock_owner = @worker", ("@expires", expires), ("@worker", workerId));
            w.Execute("UPDATE activities SET lock_expires = @expires WHERE lock_owner = @worker", ("@expires", expires), ("@worker", workerId));
            return 0;
        });

    /// <inheritdoc/>
    public Task WaitForWorkAsync(WorkKind kind, TimeSpan maxWait, CancellationToken ct)
        => (kind == WorkKind.Orchestration ? _orchestrationWork : _activityWork).WaitAsync(maxWait, ct);

    /// <inheritdoc/>
    public async Task<StoreHealth> GetHealthAsync(CancellationToken ct = default)
    {
        try
        {
            await using var connection = await OpenReadAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText =
                "SELECT (SELECT COUNT(*) FROM messages WHERE visible_at <= @now), (SELECT COUNT(*) FROM activities), (SELECT COUNT(*) FROM messages WHERE visible_at > @now)";
            command.Parameters.AddWithValue("@now", Now);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return new StoreHealth(true, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }
        catch (Exception ex)
        {
            return new StoreHealth(false, 0, 0, 0, ex.Message);
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _writer?.Dispose();
        _writer = null;
        SqliteConnection.ClearAllPools();
        _ownership?.Dispose();
        _ownership = null;
        return ValueTask.CompletedTask;
    }

    private async Task<SqliteConnection> OpenReadAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    private static void CreateInstance(SqliteWriter w, NewOrchestrationInstance instance, long now)
    {
        DeleteInstance(w, instance.InstanceId);
        w.Execute(
            "INSERT INTO instances (instance_id, execution_id, name, status, input, created_at, updated_at, parent_instance_id, parent_execution_id, parent_task_id, parent_name, ready_at) " +
            "VALUES (@id, @execution, @name, 'Pending', @input, @created, @now, @parentId, @parentExecution, @parentTask, @parentName, @now)",
            ("@id", instance.InstanceId), ("@execution", instance.ExecutionId), ("@name", instance.Name), ("@input", instance.Input),
            ("@created", instance.CreatedAt.ToUniversalTime().Ticks), ("@now", now), ("@parentId", instance.Parent?.InstanceId),
            ("@parentExecution", instance.Parent?.ExecutionId), ("@parentTask", instance.Parent?.TaskScheduledId), ("@parentName", instance.Parent?.Name));
        var started = new ExecutionStartedEvent(instance.Name, instance.Input, instance.ExecutionId, instance.Parent) { Timestamp = instance.CreatedAt.ToUniversalTime() };
        InsertMessage(w, instance.InstanceId, instance.ExecutionId, started.Kind, started.ToJson(), now);
    }

    private static void DeleteInstance(SqliteWriter w, string instanceId)
    {
        w.Execute("DELETE FROM history WHERE instance_id = @id", ("@id", instanceId));
        w.Execute("DELETE FROM messages WHERE instance_id = @id", ("@id", instanceId));
        w.Execute("DELETE FROM activities WHERE instance_id = @id", ("@id", instanceId));
        w.Execute("DELETE FROM instances WHERE instance_id = @id", ("@id", instanceId));
    }

    /// <summary>Puts a message in an inbox if the instance exists and has not finished.</summary>
    private static SendResult SendMessage(SqliteWriter w, string instanceId, string? executionId, string kind, string json, long visibleAt)
    {
        var status = StatusOf(w, instanceId);
        if (status is null) return SendResult.NotFound;
        if (status.Value.IsTerminal()) return SendResult.AlreadyFinished;
        InsertMessage(w, instanceId, executionId, kind, json, visibleAt);
        return SendResult.Sent;
    }

    private static void InsertMessage(SqliteWriter w, string instanceId, string? executionId, string kind, string json, long visibleAt)
    {
        w.Execute("INSERT INTO messages (instance_id, execution_id, kind, event, visible_at) VALUES (@id, @execution, @kind, @event, @visible)",
            ("@id", instanceId), ("@execution", executionId), ("@kind", kind), ("@event", json), ("@visible", visibleAt));
        // ready_at is the earliest message the instance can take now; a suspended one takes only resume/terminate.
        w.Execute(
            "UPDATE instances SET ready_at = MIN(COALESCE(ready_at, @visible), @visible) " +
            $"WHERE instance_id = @id AND status NOT IN {Terminal} AND (status <> 'Suspended' OR @kind IN {ControlKinds})",
            ("@visible", visibleAt), ("@id", instanceId), ("@kind", kind));
    }

    /// <summary>The instance's status, or null when there is no such instance.</summary>
    private static OrchestrationRuntimeStatus? StatusOf(SqliteWriter w, string instanceId)
        => w.Scalar("SELECT status FROM instances WHERE instance_id = @id", ("@id", instanceId)) is string status
            ? Enum.Parse<OrchestrationRuntimeStatus>(status)
            : null;

    private static void RecomputeReadyAt(SqliteWriter w, string instanceId)
        => w.Execute(
            $"UPDATE instances SET ready_at = CASE WHEN status IN {Terminal} THEN NULL ELSE " +
            "(SELECT MIN(m.visible_at) FROM messages m WHERE m.instance_id = instances.instance_id " +
            $"AND (instances.status <> 'Suspended' OR m.kind IN {ControlKinds})) END WHERE instance_id = @id",
            ("@id", instanceId));

}
