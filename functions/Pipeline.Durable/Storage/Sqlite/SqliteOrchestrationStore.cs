using System.Text;
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
            var status = (string?)w.Scalar("SELECT status FROM instances WHERE instance_id = @id", ("@id", instance.InstanceId));
            if (status is not null && !Enum.Parse<OrchestrationRuntimeStatus>(status).IsTerminal())
                throw new OrchestrationAlreadyExistsException(instance.InstanceId);
            CreateInstance(w, instance, Now);
            return 0;
        });
        _orchestrationWork.Set();
    }

    /// <inheritdoc/>
    public async Task<SendResult> SendMessageAsync(string instanceId, HistoryEvent message, CancellationToken ct = default)
    {
        var result = await Writer.WriteAsync(w => SendMessage(w, instanceId, null, message, Now));
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
            var status = (string?)w.Scalar("SELECT status FROM instances WHERE instance_id = @id", ("@id", instanceId));
            if (status is null) return false;
            if (!Enum.Parse<OrchestrationRuntimeStatus>(status).IsTerminal())
                throw new InvalidOperationException($"Orchestration '{instanceId}' is still {status}; terminate it before purging.");
            DeleteInstance(w, instanceId);
            return true;
        });

    /// <inheritdoc/>
    public Task<IReadOnlyList<OrchestrationWorkItem>> LockNextOrchestrationsAsync(string workerId, int max, TimeSpan lease, CancellationToken ct = default)
        => Writer.WriteAsync<IReadOnlyList<OrchestrationWorkItem>>(w =>
        {
            var now = Now;
            var candidates = new List<(string Id, string ExecutionId, string Name, OrchestrationRuntimeStatus Status, int HistoryCount)>();
            using (var reader = w.Query(
                "SELECT instance_id, execution_id, name, status, history_count FROM instances " +
                "WHERE ready_at <= @now AND (lock_expires IS NULL OR lock_expires < @now) ORDER BY ready_at LIMIT @max",
                ("@now", now), ("@max", max)))
            {
                while (reader.Read())
                    candidates.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), Enum.Parse<OrchestrationRuntimeStatus>(reader.GetString(3)), reader.GetInt32(4)));
            }

            var items = new List<OrchestrationWorkItem>(candidates.Count);
            foreach (var c in candidates)
            {
                var messages = new List<OrchestrationMessage>();
                using (var reader = w.Query(
                    "SELECT id, execution_id, event FROM messages WHERE instance_id = @id AND visible_at <= @now " +
                    $"AND (@suspended = 0 OR kind IN {ControlKinds}) ORDER BY id LIMIT @limit",
                    ("@id", c.Id), ("@now", now), ("@suspended", c.Status == OrchestrationRuntimeStatus.Suspended ? 1 : 0), ("@limit", MaxMessagesPerStep)))
                {
                    while (reader.Read())
                        messages.Add(new OrchestrationMessage(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), HistoryEvent.FromJson(reader.GetString(2))));
                }
                if (messages.Count == 0)
                {
                    RecomputeReadyAt(w, c.Id);
                    continue;
                }
                w.Execute("UPDATE instances SET lock_owner = @worker, lock_expires = @expires WHERE instance_id = @id",
                    ("@worker", workerId), ("@expires", now + lease.Ticks), ("@id", c.Id));
                items.Add(new OrchestrationWorkItem(c.Id, c.ExecutionId, c.Name, c.Status, c.HistoryCount, messages));
            }
            return items;
        });

    /// <inheritdoc/>
    public async Task<bool> CommitOrchestrationAsync(OrchestrationCommit commit, CancellationToken ct = default)
    {
        var committed = await Writer.WriteAsync(w => Commit(w, commit));
        if (committed)
        {
            if (commit.Messages.Count > 0 || commit.SubOrchestrations.Count > 0) _orchestrationWork.Set();
            if (commit.Activities.Count > 0) _activityWork.Set();
        }
        return committed;
    }

    private bool Commit(SqliteWriter w, OrchestrationCommit commit)
    {
        var now = Now;
        // The lease guard: only the worker holding the lease, on the execution and history it read, may commit.
        using (var reader = w.Query("SELECT lock_owner, execution_id, history_count FROM instances WHERE instance_id = @id", ("@id", commit.InstanceId)))
        {
            if (!reader.Read() || reader.IsDBNull(0) || reader.GetString(0) != commit.WorkerId
                || reader.GetString(1) != commit.ExecutionId || reader.GetInt32(2) != commit.ExpectedHistoryCount)
                return false;
        }

        foreach (var id in commit.ConsumedMessageIds) w.Execute("DELETE FROM messages WHERE id = @id", ("@id", id));

        var executionId = commit.ExecutionId;
        var historyCount = commit.ExpectedHistoryCount;
        if (commit.ContinuedAsNewExecutionId is { } next)
        {
            w.Execute("DELETE FROM history WHERE instance_id = @id", ("@id", commit.InstanceId));
            executionId = next;
            historyCount = 0;
        }
        else
        {
            foreach (var e in commit.NewHistory)
            {
                w.Execute("INSERT INTO history (instance_id, seq, event) VALUES (@id, @seq, @event)",
                    ("@id", commit.InstanceId), ("@seq", historyCount++), ("@event", e.ToJson()));
            }
        }

        foreach (var a in commit.Activities)
        {
            w.Execute("INSERT INTO activities (instance_id, execution_id, task_id, name, input, visible_at) VALUES (@instance, @execution, @task, @name, @input, @now)",
                ("@instance", a.InstanceId), ("@execution", a.ExecutionId), ("@task", a.TaskScheduledId), ("@name", a.Name), ("@input", a.Input), ("@now", now));
        }

        foreach (var child in commit.SubOrchestrations)
        {
            var status = (string?)w.Scalar("SELECT status FROM instances WHERE instance_id = @id", ("@id", child.InstanceId));
            if (status is null || Enum.Parse<OrchestrationRuntimeStatus>(status).IsTerminal())
            {
                CreateInstance(w, child, now);
            }
            else
            {
                var failure = new TaskFailureDetails(typeof(OrchestrationAlreadyExistsException).FullName!, new OrchestrationAlreadyExistsException(child.InstanceId).Message);
                InsertMessage(w, commit.InstanceId, executionId, new SubOrchestrationFailedEvent(child.Parent!.TaskScheduledId, failure) { Timestamp = DateTimeFromTicks(now) }, now);
            }
        }

        foreach (var m in commit.Messages)
        {
            if (m.InstanceId == commit.InstanceId) InsertMessage(w, m.InstanceId, m.ExecutionId, m.Event, m.VisibleAt.Ticks);
            else SendMessage(w, m.InstanceId, m.ExecutionId, m.Event, m.VisibleAt.Ticks);
        }

        var terminal = commit.Status.IsTerminal();
        w.Execute(
            "UPDATE instances SET execution_id = @execution, status = @status, output = @output, failure = @failure, custom_status = @custom, " +
            "input = COALESCE(@input, input), updated_at = @now, completed_at = @completed, history_count = @count, lock_owner = NULL, lock_expires = NULL " +
            "WHERE instance_id = @id",
            ("@execution", executionId), ("@status", commit.Status.ToString()), ("@output", commit.Output),
            ("@failure", commit.Failure is null ? null : SqliteSchema.FailureToJson(commit.Failure)), ("@custom", commit.CustomStatus),
            ("@input", commit.Input), ("@now", now), ("@completed", terminal ? now : null), ("@count", historyCount), ("@id", commit.InstanceId));
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
        await Writer.WriteAsync(w =>
        {
            var now = Now;
            foreach (var result in results)
            {
                // Deleting the work item we still lease is what makes the result count once: a worker whose lease
                // was taken over deletes nothing and records nothing.
                if (w.Execute("DELETE FROM activities WHERE id = @id AND lock_owner = @worker", ("@id", result.WorkItem.Id), ("@worker", workerId)) == 1)
                    SendMessage(w, result.WorkItem.InstanceId, result.WorkItem.ExecutionId, result.Result, now);
            }
            return 0;
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
        InsertMessage(w, instance.InstanceId, instance.ExecutionId, started, now);
    }

    private static void DeleteInstance(SqliteWriter w, string instanceId)
    {
        w.Execute("DELETE FROM history WHERE instance_id = @id", ("@id", instanceId));
        w.Execute("DELETE FROM messages WHERE instance_id = @id", ("@id", instanceId));
        w.Execute("DELETE FROM activities WHERE instance_id = @id", ("@id", instanceId));
        w.Execute("DELETE FROM instances WHERE instance_id = @id", ("@id", instanceId));
    }

    /// <summary>Puts a message in an inbox if the instance exists and has not finished.</summary>
    private static SendResult SendMessage(SqliteWriter w, string instanceId, string? executionId, HistoryEvent message, long visibleAt)
    {
        var status = (string?)w.Scalar("SELECT status FROM instances WHERE instance_id = @id", ("@id", instanceId));
        if (status is null) return SendResult.NotFound;
        if (Enum.Parse<OrchestrationRuntimeStatus>(status).IsTerminal()) return SendResult.AlreadyFinished;
        InsertMessage(w, instanceId, executionId, message, visibleAt);
        return SendResult.Sent;
    }

    private static void InsertMessage(SqliteWriter w, string instanceId, string? executionId, HistoryEvent message, long visibleAt)
    {
        w.Execute("INSERT INTO messages (instance_id, execution_id, kind, event, visible_at) VALUES (@id, @execution, @kind, @event, @visible)",
            ("@id", instanceId), ("@execution", executionId), ("@kind", message.Kind), ("@event", message.ToJson()), ("@visible", visibleAt));
        // ready_at is the earliest message the instance can take now; a suspended one takes only resume/terminate.
        w.Execute(
            "UPDATE instances SET ready_at = MIN(COALESCE(ready_at, @visible), @visible) " +
            $"WHERE instance_id = @id AND status NOT IN {Terminal} AND (status <> 'Suspended' OR @kind IN {ControlKinds})",
            ("@visible", visibleAt), ("@id", instanceId), ("@kind", message.Kind));
    }

    private static void RecomputeReadyAt(SqliteWriter w, string instanceId)
        => w.Execute(
            $"UPDATE instances SET ready_at = CASE WHEN status IN {Terminal} THEN NULL ELSE " +
            "(SELECT MIN(m.visible_at) FROM messages m WHERE m.instance_id = instances.instance_id " +
            $"AND (instances.status <> 'Suspended' OR m.kind IN {ControlKinds})) END WHERE instance_id = @id",
            ("@id", instanceId));

    private static DateTime DateTimeFromTicks(long ticks) => new(ticks, DateTimeKind.Utc);
}
