using Google.Protobuf;
using Npgsql;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Store.Postgres;

// The work side: leases, episode commits and activity results.
public sealed partial class PostgresDurableStore
{
    /// <inheritdoc/>
    public async Task<IReadOnlyList<LeasedOrchestration>> LeaseOrchestrationsAsync(string owner, int max, int maxMessages, TimeSpan leaseDuration, CancellationToken ct)
    {
        if (max <= 0) return [];
        var prefix = LeaseTokens.NewPrefix(owner);
        return await RunAsync<IReadOnlyList<LeasedOrchestration>>(async (connection, ct) =>
        {
            var items = new List<LeasedOrchestration>();
            var messages = new List<InboxMessage>();
            await using (var command = new NpgsqlCommand(Sql.LeaseInstances, connection))
            {
                command.Parameters.AddRange(new NpgsqlParameter[] {Int("max", max), Text("prefix", prefix), Interval("lease", leaseDuration), Int("limit", maxMessages)});
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    var instanceId = reader.GetString(0);
                    if (items.Count == 0 || items[^1].InstanceId != instanceId)
                    {
                        messages = [];
                        items.Add(new LeasedOrchestration
                        {
                            InstanceId = instanceId,
                            ExecutionId = reader.GetString(1),
                            Name = reader.GetString(2),
                            Status = (P.OrchestrationStatus)reader.GetInt32(3),
                            HistoryCount = reader.GetInt32(4),
                            Attempts = reader.GetInt32(5),
                            LastError = reader.IsDBNull(6) ? null : reader.GetString(6),
                            LastEpisodeAt = NullableTime(reader, 7),
                            Parent = reader.IsDBNull(8) ? null : new ParentLink(reader.GetString(8), reader.GetString(9), reader.GetInt32(10)),
                            LeaseToken = reader.GetString(11),
                            Now = reader.GetFieldValue<DateTime>(12),
                            Messages = messages,
                        });
                    }
                    if (!reader.IsDBNull(13))
                        messages.Add(new InboxMessage(reader.GetInt64(13), reader.IsDBNull(14) ? null : reader.GetString(14), P.HistoryEvent.Parser.ParseFrom(reader.GetFieldValue<byte[]>(15))));
                }
            }
            // ready_at promised work that is not there (should not happen): correct it rather than hand out nothing.
            foreach (var empty in items.Where(i => i.Messages.Count == 0))
            {
                await using var release = new NpgsqlCommand(Sql.EndLeaseCleanly, connection);
                release.Parameters.AddRange(new NpgsqlParameter[] {Text("id", empty.InstanceId), Text("token", empty.LeaseToken)});
                await release.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            return items.Where(i => i.Messages.Count > 0).ToList();
        }, ct).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<bool> CommitEpisodeAsync(EpisodeCommit commit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(commit);
        var history = commit.History.Select(e => e.ToByteArray()).ToList();
        var touched = new SortedSet<string>(StringComparer.Ordinal) { commit.InstanceId };
        foreach (var message in commit.Messages) touched.Add(message.InstanceId);
        foreach (var child in commit.Children) touched.Add(child.Instance.InstanceId);

        var outcome = await RunAsync(async (connection, ct) =>
        {
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            // Every row this commit writes to, locked in key order (no deadlocks between commits); then the lease guard.
            var rows = new Dictionary<string, (P.OrchestrationStatus Status, string? Token, string Execution, int Count)>(StringComparer.Ordinal);
            await using (var lockRows = new NpgsqlCommand(Sql.LockRows, connection, tx))
            {
                lockRows.Parameters.Add(TextArray("ids", touched));
                await using var reader = await lockRows.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    rows[reader.GetString(0)] = ((P.OrchestrationStatus)reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3), reader.GetInt32(4));
            }
            if (!rows.TryGetValue(commit.InstanceId, out var self) || self.Token != commit.LeaseToken
                || self.Execution != commit.ExecutionId || self.Count != commit.ExpectedHistoryCount)
            {
                return (Committed: false, StatusChanged: false, Wake: false, Created: new List<string>());
            }

            await using var batch = new NpgsqlBatch(connection, tx);
            var created = AddEpisode(batch, commit, history, rows, out var wake);
            batch.BatchCommands.Add(Command(Sql.RecomputeReady, TextArray("ids", touched)));
            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return (Committed: true, StatusChanged: self.Status != commit.Status || commit.NewExecutionId is not null, Wake: wake, Created: created);
        }, ct).ConfigureAwait(false);

        if (!outcome.Committed) return false;
        if (outcome.Wake) Wake(WorkKind.Orchestration);
        if (commit.Activities.Count > 0) Wake(WorkKind.Activity);
        if (outcome.StatusChanged) Changed(commit.InstanceId);
        foreach (var child in outcome.Created) Changed(child);
        return true;
    }

    /// <summary>Adds the statements of one episode (after the guard) to <paramref name="batch"/>; returns the children created.</summary>
    private List<string> AddEpisode(NpgsqlBatch batch, EpisodeCommit commit, List<byte[]> history,
        Dictionary<string, (P.OrchestrationStatus Status, string? Token, string Execution, int Count)> rows, out bool wake)
    {
        var finished = commit.Status.IsFinished();
        var executionId = commit.NewExecutionId ?? commit.ExecutionId;
        var id = Text("id", commit.InstanceId);
        batch.BatchCommands.Add(Command(Sql.UpdateAfterEpisode,
            Text("execution", executionId), Int("status", (int)commit.Status), Text("output", commit.Output), Bytes("failure", commit.Failure?.ToByteArray()),
            Bool("keep_custom", commit.KeepCustomStatus), Text("custom", commit.CustomStatus), Text("input", commit.NewInput), Bool("finished", finished),
            Int("count", commit.NewExecutionId is null ? commit.ExpectedHistoryCount + history.Count : history.Count), Time("episode", commit.EpisodeTime),
            id.Clone(), Text("token", commit.LeaseToken)));
        if (commit.ConsumedMessageIds.Count > 0) batch.BatchCommands.Add(Command(Sql.DeleteMessages, id.Clone(), LongArray("message_ids", commit.ConsumedMessageIds)));
        var first = commit.ExpectedHistoryCount;
        if (commit.NewExecutionId is not null)
        {
            batch.BatchCommands.Add(Command(Sql.DeleteHistory, id.Clone()));
            first = 0;
        }
        if (history.Count > 0) batch.BatchCommands.Add(Command(Sql.AppendHistory, id.Clone(), Int("first", first), BytesArray("events", history)));
        if (commit.Activities.Count > 0)
        {
            batch.BatchCommands.Add(Command(Sql.InsertActivities, id.Clone(), Text("execution", executionId),
                IntArray("task_ids", commit.Activities.Select(a => a.TaskId)), BytesArray("requests", commit.Activities.Select(a => a.Request.ToByteArray()))));
        }

        wake = false;
        var created = new List<string>();
        // Children before messages: an event sent to a child created in the same episode must find it.
        foreach (var child in commit.Children)
        {
            var instance = child.Instance;
            if (!rows.ContainsKey(instance.InstanceId))
            {
                AddInsertInstance(batch, instance);
                rows[instance.InstanceId] = (P.OrchestrationStatus.Pending, null, instance.ExecutionId, 0);
                created.Add(instance.InstanceId);
            }
            // Never replace an existing instance behind the parent's back: its call fails instead. (The statement also
            // covers a child inserted concurrently by another transaction: its row then has another execution id.)
            batch.BatchCommands.Add(Command(Sql.InsertChildFailure, Text("parent", commit.InstanceId), Text("parent_execution", executionId),
                Int("kind", (int)child.FailureIfTaken.EventTypeCase), Bytes("event", child.FailureIfTaken.ToByteArray()),
                Text("id", instance.InstanceId), Text("execution", instance.ExecutionId)));
            wake = true;
        }

        var outbound = commit.Messages.Where(m => m.InstanceId == commit.InstanceId
            ? !finished
            : rows.TryGetValue(m.InstanceId, out var target) && InstanceStatus.Accepts(target.Status, m.Event.EventTypeCase)).ToList();
        if (outbound.Count > 0)
        {
            batch.BatchCommands.Add(Command(Sql.InsertMessages,
                TextArray("ids", outbound.Select(m => m.InstanceId)), TextArray("executions", outbound.Select(m => m.ExecutionId)),
                IntArray("kinds", outbound.Select(m => (int)m.Event.EventTypeCase)), BytesArray("events", outbound.Select(m => m.Event.ToByteArray())),
                TimeArray("visible", outbound.Select(m => m.VisibleAt))));
            wake = true;
        }
        if (finished)
        {
            batch.BatchCommands.Add(Command(Sql.DeleteInbox, id.Clone()));
            // A terminated instance's activities that nobody runs yet are dropped; a completed one's fire-and-forget calls
            // still run (their results are dropped on arrival).
            if (commit.Terminated) batch.BatchCommands.Add(Command(Sql.DeleteIdleActivities, id.Clone()));
        }
        return created;
    }

    /// <inheritdoc/>
    public Task<bool> DiscardAsync(string instanceId, string leaseToken, IReadOnlyList<long> messageIds, CancellationToken ct) => RunAsync(async (connection, ct) =>
    {
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(Command(Sql.DiscardMessages, Text("id", instanceId), Text("token", leaseToken), LongArray("message_ids", messageIds)));
        var end = Command(Sql.EndLeaseCleanly, Text("id", instanceId), Text("token", leaseToken));
        batch.BatchCommands.Add(end);
        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        return end.RecordsAffected == 1;
    }, ct);

    /// <inheritdoc/>
    public async Task ReleaseOrchestrationAsync(string instanceId, string leaseToken, string reason, TimeSpan delay, CancellationToken ct)
    {
        await RunAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(Sql.ReleaseInstance, connection);
            command.Parameters.AddRange(new NpgsqlParameter[] {Text("id", instanceId), Text("token", leaseToken), Text("reason", reason), Interval("delay", delay)});
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
        Wake(WorkKind.Orchestration);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<LeasedActivity>> LeaseActivitiesAsync(string owner, int max, TimeSpan leaseDuration, CancellationToken ct)
    {
        if (max <= 0) return [];
        var prefix = LeaseTokens.NewPrefix(owner) + ":";
        var items = await RunAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(Sql.LeaseActivities, connection);
            command.Parameters.AddRange(new NpgsqlParameter[] {Int("max", max), Text("prefix", prefix), Interval("lease", leaseDuration)});
            var leased = new List<LeasedActivity>();
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                leased.Add(new LeasedActivity(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3),
                    P.ActivityRequest.Parser.ParseFrom(reader.GetFieldValue<byte[]>(4)), reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetString(7)));
            }
            return leased;
        }, ct).ConfigureAwait(false);
        items.Sort((a, b) => a.Id.CompareTo(b.Id));
        return items;
    }

    /// <inheritdoc/>
    public async Task<bool> CompleteActivityAsync(ActivityResult result, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (deleted, recorded) = await RunAsync(async (connection, ct) =>
        {
            await using var batch = new NpgsqlBatch(connection);
            var complete = Command(Sql.CompleteActivity, Text("instance", result.InstanceId), Text("execution", result.ExecutionId), Int("id", null),
                Text("token", result.LeaseToken), Int("kind", (int)result.Result.EventTypeCase), Bytes("event", result.Result.ToByteArray()));
            complete.Parameters["id"].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint;
            complete.Parameters["id"].Value = result.ActivityId;
            batch.BatchCommands.Add(complete);
            batch.BatchCommands.Add(Command(Sql.RecomputeReady, TextArray("ids", [result.InstanceId])));
            await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            return (reader.GetInt64(0), reader.GetInt64(1));
        }, ct).ConfigureAwait(false);
        if (recorded > 0) Wake(WorkKind.Orchestration);
        return deleted == 1;
    }

    /// <inheritdoc/>
    public async Task ReleaseActivityAsync(long activityId, string leaseToken, string reason, TimeSpan delay, CancellationToken ct)
    {
        await RunAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(Sql.ReleaseActivity, connection);
            command.Parameters.AddRange(new NpgsqlParameter[] {Text("token", leaseToken), Text("reason", reason), Interval("delay", delay)});
            command.Parameters.Add(new NpgsqlParameter("id", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = activityId });
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
        Wake(WorkKind.Activity);
    }

    /// <inheritdoc/>
    public Task RenewLeasesAsync(IReadOnlyCollection<string> orchestrationLeases, IReadOnlyCollection<string> activityLeases, TimeSpan leaseDuration, CancellationToken ct)
    {
        if (orchestrationLeases.Count == 0 && activityLeases.Count == 0) return Task.CompletedTask;
        return RunAsync(async (connection, ct) =>
        {
            // Two statements, each its own transaction: instance locks are not held while waiting for activity rows.
            if (orchestrationLeases.Count > 0)
            {
                await using var instances = new NpgsqlCommand(Sql.RenewInstances, connection);
                instances.Parameters.AddRange(new NpgsqlParameter[] {TextArray("tokens", orchestrationLeases), Interval("lease", leaseDuration)});
                await instances.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            if (activityLeases.Count > 0)
            {
                await using var activities = new NpgsqlCommand(Sql.RenewActivities, connection);
                activities.Parameters.AddRange(new NpgsqlParameter[] {TextArray("tokens", activityLeases), Interval("lease", leaseDuration)});
                await activities.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            return true;
        }, ct);
    }
}
