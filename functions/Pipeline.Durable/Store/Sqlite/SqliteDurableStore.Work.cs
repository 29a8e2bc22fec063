using Google.Protobuf;
using Microsoft.Data.Sqlite;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Store.Sqlite;

// The work side: leases, episode commits and activity results.
public sealed partial class SqliteDurableStore
{
    private const int StartedKind = (int)P.HistoryEvent.EventTypeOneofCase.ExecutionStarted;

    private static readonly string LeasableMessagesSql =
        "SELECT id, execution_id, event FROM messages WHERE instance_id = @id AND visible_at <= @now " +
        $"AND {InstanceStatus.LeaseTakesSql("@status", "kind")} " +
        // A new execution's ExecutionStarted comes first even behind a long inbox: without it the episode cannot run.
        $"ORDER BY (kind = {StartedKind}) DESC, id LIMIT @limit";

    /// <inheritdoc/>
    public async Task<IReadOnlyList<LeasedOrchestration>> LeaseOrchestrationsAsync(string owner, int max, int maxMessages, TimeSpan leaseDuration, CancellationToken ct)
    {
        if (max <= 0) return [];
        // A read first: an empty look (the common case for a waiting loop woken by someone else's work) then costs no
        // write transaction on the single writer.
        if (!await ExistsAsync("SELECT EXISTS (SELECT 1 FROM instances WHERE ready_at <= @now AND (lock_expires IS NULL OR lock_expires < @now))", ct).ConfigureAwait(false))
            return [];
        var prefix = LeaseTokens.NewPrefix(owner);
        var leased = await Writer.WriteAsync(w =>
        {
            var now = Now;
            var candidates = new List<LeasedOrchestration>();
            using (var reader = w.Query(
                "SELECT instance_id, execution_id, name, status, history_count, attempts, last_error, last_episode_at, " +
                "parent_instance_id, parent_execution_id, parent_task_id FROM instances " +
                "WHERE ready_at <= @now AND (lock_expires IS NULL OR lock_expires < @now) ORDER BY ready_at LIMIT @max",
                ("@now", now), ("@max", max)))
            {
                while (reader.Read())
                {
                    candidates.Add(new LeasedOrchestration
                    {
                        InstanceId = reader.GetString(0),
                        ExecutionId = reader.GetString(1),
                        Name = reader.GetString(2),
                        Status = (P.OrchestrationStatus)reader.GetInt64(3),
                        HistoryCount = reader.GetInt32(4),
                        Attempts = reader.GetInt32(5) + 1,
                        LastError = reader.IsDBNull(6) ? null : reader.GetString(6),
                        LastEpisodeAt = reader.IsDBNull(7) ? null : FromTicks(reader.GetInt64(7)),
                        Parent = reader.IsDBNull(8) ? null : new ParentLink(reader.GetString(8), reader.GetString(9), reader.GetInt32(10)),
                        LeaseToken = prefix + ":" + reader.GetString(0),
                        Now = FromTicks(now),
                        Messages = [],
                    });
                }
            }
            var items = new List<(LeasedOrchestration Item, List<(long Id, string? ExecutionId, byte[] Event)> Messages)>(candidates.Count);
            foreach (var candidate in candidates)
            {
                var messages = new List<(long, string?, byte[])>();
                using (var reader = w.Query(LeasableMessagesSql,
                    ("@id", candidate.InstanceId), ("@now", now), ("@status", (int)candidate.Status), ("@limit", maxMessages)))
                {
                    while (reader.Read()) messages.Add((reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), (byte[])reader.GetValue(2)));
                }
                if (messages.Count == 0)
                {
                    // ready_at promised work that is not there (should not happen): correct it rather than hand out nothing.
                    RecomputeReady(w, candidate.InstanceId);
                    continue;
                }
                w.Execute("UPDATE instances SET lock_token = @token, lock_expires = @expires, attempts = attempts + 1 WHERE instance_id = @id",
                    ("@token", candidate.LeaseToken), ("@expires", now + leaseDuration.Ticks), ("@id", candidate.InstanceId));
                items.Add((candidate, messages));
            }
            return items;
        }).ConfigureAwait(false);
        // Parsing happens here, off the writer thread.
        return leased.Select(l => l.Item with
        {
            Messages = l.Messages.Select(m => new InboxMessage(m.Id, m.ExecutionId, P.HistoryEvent.Parser.ParseFrom(m.Event))).ToList(),
        }).ToList();
    }

    // The waiting loops ask this on every lease attempt, so it runs on one kept connection with its statements
    // prepared once (a pooled connection and a fresh command would parse and plan the query every time).
    private async Task<bool> ExistsAsync(string sql, CancellationToken ct)
    {
        await _probeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _ = Writer; // Closed stores are not probed (nor given a new connection).
            if (_probe is null)
            {
                var connection = new SqliteConnection(_connectionString);
                await connection.OpenAsync(ct).ConfigureAwait(false);
                _probe = new SqliteStatements(connection);
            }
            return Convert.ToInt64(_probe.Prepare(sql, [("@now", Now)]).ExecuteScalar()) != 0;
        }
        finally
        {
            _probeLock.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<bool> CommitEpisodeAsync(EpisodeCommit commit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(commit);
        // Everything that can be serialized is serialized before the commit reaches the writer thread.
        var history = commit.History.Select(e => e.ToByteArray()).ToList();
        var failure = ToBytes(commit.Failure);
        var activities = commit.Activities.Select(a => (a.TaskId, Request: a.Request.ToByteArray())).ToList();
        var outcome = await Writer.WriteAsync(w => Commit(w, commit, history, failure, activities)).ConfigureAwait(false);
        if (!outcome.Committed) return false;
        if (outcome.WakeOrchestrations) _orchestrationWork.Set();
        if (commit.Activities.Count > 0) _activityWork.Set();
        RaiseChanged(commit.InstanceId);
        foreach (var child in outcome.CreatedChildren) RaiseChanged(child);
        return true;
    }

    private (bool Committed, bool WakeOrchestrations, List<string> CreatedChildren) Commit(
        SqliteWriter w, EpisodeCommit commit, List<byte[]> history, byte[]? failure, List<(int TaskId, byte[] Request)> activities)
    {
        var now = Now;
        var finished = commit.Status.IsFinished();
        var executionId = commit.NewExecutionId ?? commit.ExecutionId;
        var historyCount = commit.NewExecutionId is null ? commit.ExpectedHistoryCount + history.Count : history.Count;

        // The lease guard: only the holder of this very lease may commit, and nothing else happens if it does not.
        var guarded = w.Execute(
            "UPDATE instances SET execution_id = @execution, status = @status, output = @output, failure = @failure, custom_status = CASE WHEN @keepCustom THEN custom_status ELSE @custom END, " +
            "input = COALESCE(@input, input), updated_at = @now, completed_at = @completed, history_count = @count, last_episode_at = @episode, " +
            "lock_token = NULL, lock_expires = NULL, attempts = 0, last_error = NULL " +
            "WHERE instance_id = @id AND lock_token = @token AND execution_id = @expectedExecution AND history_count = @expectedCount",
            ("@execution", executionId), ("@status", (int)commit.Status), ("@output", commit.Output), ("@failure", failure),
            ("@custom", commit.CustomStatus), ("@keepCustom", commit.KeepCustomStatus), ("@input", commit.NewInput), ("@now", now), ("@completed", finished ? now : null),
            ("@count", historyCount), ("@episode", ToTicks(commit.EpisodeTime)), ("@id", commit.InstanceId), ("@token", commit.LeaseToken),
            ("@expectedExecution", commit.ExecutionId), ("@expectedCount", commit.ExpectedHistoryCount));
        if (guarded != 1) return (false, false, []);

        foreach (var id in commit.ConsumedMessageIds) w.Execute("DELETE FROM messages WHERE id = @id", ("@id", id));
        var firstSeq = commit.ExpectedHistoryCount;
        if (commit.NewExecutionId is not null)
        {
            w.Execute("DELETE FROM history WHERE instance_id = @id", ("@id", commit.InstanceId));
            firstSeq = 0;
        }
        for (var i = 0; i < history.Count; i++)
        {
            w.Execute("INSERT INTO history (instance_id, seq, event) VALUES (@id, @seq, @event)",
                ("@id", commit.InstanceId), ("@seq", firstSeq + i), ("@event", history[i]));
        }
        foreach (var (taskId, request) in activities)
        {
            w.Execute("INSERT INTO activities (instance_id, execution_id, task_id, request, visible_at) VALUES (@id, @execution, @task, @request, @now)",
                ("@id", commit.InstanceId), ("@execution", executionId), ("@task", taskId), ("@request", request), ("@now", now));
        }

        var wake = false;
        var created = new List<string>();
        // Children before messages: an event sent to a child created in the same episode must find it.
        foreach (var child in commit.Children)
        {
            if (StatusOf(w, child.Instance.InstanceId) is null)
            {
                InsertInstance(w, child.Instance, now);
                created.Add(child.Instance.InstanceId);
            }
            else
            {
                // Never replace an existing instance behind the parent's back: its call fails instead.
                InsertMessage(w, commit.InstanceId, executionId, child.FailureIfTaken, now);
            }
            wake = true;
        }
        foreach (var message in commit.Messages)
        {
            var visibleAt = message.VisibleAt is { } at ? Math.Max(ToTicks(at), now) : now;
            if (message.InstanceId != commit.InstanceId)
            {
                if (StatusOf(w, message.InstanceId) is not { } status || !InstanceStatus.Accepts(status, message.Event.EventTypeCase)) continue;
            }
            else if (finished)
            {
                continue; // A finished instance takes nothing more (its own timers included).
            }
            InsertMessage(w, message.InstanceId, message.ExecutionId, message.Event, visibleAt);
            wake |= visibleAt <= now;
        }

        if (finished)
        {
            w.Execute("DELETE FROM messages WHERE instance_id = @id", ("@id", commit.InstanceId));
            // A terminated instance's activities that nobody runs yet are dropped; a completed one's fire-and-forget
            // calls still run (their results are dropped on arrival).
            if (commit.Terminated) w.Execute("DELETE FROM activities WHERE instance_id = @id AND lock_token IS NULL", ("@id", commit.InstanceId));
        }
        RecomputeReady(w, commit.InstanceId);
        return (true, wake, created);
    }

    /// <inheritdoc/>
    public async Task<bool> DiscardAsync(string instanceId, string leaseToken, IReadOnlyList<long> messageIds, CancellationToken ct)
        => await Writer.WriteAsync(w =>
        {
            if (w.Execute("UPDATE instances SET lock_token = NULL, lock_expires = NULL, attempts = 0, last_error = NULL WHERE instance_id = @id AND lock_token = @token",
                    ("@id", instanceId), ("@token", leaseToken)) != 1)
                return false;
            foreach (var id in messageIds) w.Execute("DELETE FROM messages WHERE id = @id", ("@id", id));
            RecomputeReady(w, instanceId);
            return true;
        }).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task ReleaseOrchestrationAsync(string instanceId, string leaseToken, string reason, TimeSpan delay, CancellationToken ct)
    {
        await Writer.WriteAsync(w =>
        {
            var released = w.Execute("UPDATE instances SET lock_token = NULL, lock_expires = NULL, last_error = @reason WHERE instance_id = @id AND lock_token = @token",
                ("@reason", reason), ("@id", instanceId), ("@token", leaseToken));
            if (released == 1)
            {
                RecomputeReady(w, instanceId);
                w.Execute("UPDATE instances SET ready_at = MAX(ready_at, @after) WHERE instance_id = @id AND ready_at IS NOT NULL",
                    ("@after", Now + delay.Ticks), ("@id", instanceId));
            }
            return released;
        }).ConfigureAwait(false);
        _orchestrationWork.Set();
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<LeasedActivity>> LeaseActivitiesAsync(string owner, int max, TimeSpan leaseDuration, CancellationToken ct)
    {
        if (max <= 0) return [];
        if (!await ExistsAsync("SELECT EXISTS (SELECT 1 FROM activities WHERE visible_at <= @now)", ct).ConfigureAwait(false)) return [];
        var prefix = LeaseTokens.NewPrefix(owner) + ":";
        var rows = await Writer.WriteAsync(w =>
        {
            var now = Now;
            var expires = now + leaseDuration.Ticks;
            var items = new List<(long Id, string InstanceId, string ExecutionId, int TaskId, byte[] Request, int Attempts, string? LastError, string Token)>();
            // A leased work item is invisible until its lease expires (visible_at = lock_expires): an expired lease
            // makes it visible again without any sweeper.
            using var reader = w.Query(
                "UPDATE activities SET lock_token = @prefix || id, lock_expires = @expires, visible_at = @expires, attempts = attempts + 1 " +
                "WHERE id IN (SELECT id FROM activities WHERE visible_at <= @now ORDER BY visible_at, id LIMIT @max) " +
                "RETURNING id, instance_id, execution_id, task_id, request, attempts, last_error, lock_token",
                ("@prefix", prefix), ("@expires", expires), ("@now", now), ("@max", max));
            while (reader.Read())
            {
                items.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), (byte[])reader.GetValue(4),
                    reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetString(7)));
            }
            return items;
        }).ConfigureAwait(false);
        return rows.OrderBy(r => r.Id).Select(r => new LeasedActivity(r.Id, r.InstanceId, r.ExecutionId, r.TaskId,
            P.ActivityRequest.Parser.ParseFrom(r.Request), r.Attempts, r.LastError, r.Token)).ToList();
    }

    /// <inheritdoc/>
    public async Task<bool> CompleteActivityAsync(ActivityResult result, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(result);
        var recorded = await Writer.WriteAsync(w =>
        {
            // Deleting the work item under its lease is what makes the result count once: a holder whose lease was
            // taken over deletes nothing and records nothing.
            if (w.Execute("DELETE FROM activities WHERE id = @id AND lock_token = @token", ("@id", result.ActivityId), ("@token", result.LeaseToken)) != 1)
                return false;
            if (StatusOf(w, result.InstanceId) is { } status && !status.IsFinished())
                InsertMessage(w, result.InstanceId, result.ExecutionId, result.Result, Now);
            return true;
        }).ConfigureAwait(false);
        if (recorded) _orchestrationWork.Set();
        return recorded;
    }

    /// <inheritdoc/>
    public async Task ReleaseActivityAsync(long activityId, string leaseToken, string reason, TimeSpan delay, CancellationToken ct)
    {
        await Writer.WriteAsync(w => w.Execute(
            "UPDATE activities SET lock_token = NULL, lock_expires = NULL, visible_at = @visible, last_error = @reason WHERE id = @id AND lock_token = @token",
            ("@visible", Now + delay.Ticks), ("@reason", reason), ("@id", activityId), ("@token", leaseToken))).ConfigureAwait(false);
        _activityWork.Set();
    }

    /// <inheritdoc/>
    public Task RenewLeasesAsync(IReadOnlyCollection<string> orchestrationLeases, IReadOnlyCollection<string> activityLeases, TimeSpan leaseDuration, CancellationToken ct)
    {
        if (orchestrationLeases.Count == 0 && activityLeases.Count == 0) return Task.CompletedTask;
        return Writer.WriteAsync(w =>
        {
            var expires = Now + leaseDuration.Ticks;
            foreach (var token in orchestrationLeases)
                w.Execute("UPDATE instances SET lock_expires = @expires WHERE lock_token = @token", ("@expires", expires), ("@token", token));
            foreach (var token in activityLeases)
                w.Execute("UPDATE activities SET lock_expires = @expires, visible_at = @expires WHERE lock_token = @token", ("@expires", expires), ("@token", token));
            return 0;
        });
    }
}
