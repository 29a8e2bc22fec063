namespace Pipeline.Durable.Store.Postgres;

/// <summary>The SQL of <see cref="PostgresDurableStore"/> with the schema filled in once. "Now" is always the database's
/// <c>clock_timestamp()</c>.</summary>
internal sealed class PostgresSql
{
    private const int StartedKind = (int)Microsoft.DurableTask.Protobuf.HistoryEvent.EventTypeOneofCase.ExecutionStarted;

    public PostgresSql(string s)
    {
        // ready_at's definition in one place: the earliest visible message the instance (alias i) can take in its status.
        var nextReady = $"(SELECT min(m.visible_at) FROM {s}.messages m WHERE m.instance_id = i.instance_id AND {InstanceStatus.TakesSql("i.status", "m.kind")})";
        var finished = InstanceStatus.FinishedSql;

        RecomputeReady = $"UPDATE {s}.instances i SET ready_at = {nextReady} WHERE i.instance_id = ANY(@ids)";

        // One statement: the message, and the instance's ready_at when it can take it.
        InsertMessage = $"""
            WITH m AS (
                INSERT INTO {s}.messages (instance_id, execution_id, kind, event, visible_at)
                VALUES (@id, @execution, @kind, @event, COALESCE(@visible, clock_timestamp()))
                RETURNING visible_at)
            UPDATE {s}.instances SET ready_at = LEAST(COALESCE(ready_at, (SELECT visible_at FROM m)), (SELECT visible_at FROM m))
            WHERE instance_id = @id AND {InstanceStatus.TakesSql("status", "@kind")}
            """;

        InsertMessages = $"""
            INSERT INTO {s}.messages (instance_id, execution_id, kind, event, visible_at)
            SELECT u.instance_id, u.execution_id, u.kind, u.event, GREATEST(COALESCE(u.visible_at, clock_timestamp()), clock_timestamp())
            FROM unnest(@ids::text[], @executions::text[], @kinds::int[], @events::bytea[], @visible::timestamptz[])
                 WITH ORDINALITY AS u(instance_id, execution_id, kind, event, visible_at, ord)
            ORDER BY u.ord
            """;

        // A rewind takes the instance out of Failed at once, so that a caller waiting for completion right after asking
        // for the rewind waits for the rewound run rather than seeing the old failure.
        Reopen = $"UPDATE {s}.instances SET status = {(int)Microsoft.DurableTask.Protobuf.OrchestrationStatus.Running}, completed_at = NULL, updated_at = clock_timestamp() WHERE instance_id = @id";

        LockStatus = $"SELECT status FROM {s}.instances WHERE instance_id = @id FOR UPDATE";
        LockRows = $"SELECT instance_id, status, lock_token, execution_id, history_count FROM {s}.instances WHERE instance_id = ANY(@ids) ORDER BY instance_id FOR UPDATE";

        DeleteInstances =
        [
            $"DELETE FROM {s}.history WHERE instance_id = ANY(@ids)",
            $"DELETE FROM {s}.messages WHERE instance_id = ANY(@ids)",
            $"DELETE FROM {s}.activities WHERE instance_id = ANY(@ids)",
            $"DELETE FROM {s}.instances WHERE instance_id = ANY(@ids)",
        ];

        // ON CONFLICT DO NOTHING: an id taken meanwhile (by a concurrent creator) is left alone, and only an instance
        // actually inserted gets its ExecutionStarted message.
        InsertInstance = $"""
            WITH new AS (
                INSERT INTO {s}.instances (instance_id, execution_id, name, version, status, input, created_at, updated_at, scheduled_start_at,
                                           parent_instance_id, parent_execution_id, parent_task_id, ready_at)
                VALUES (@id, @execution, @name, @version, @status, @input, clock_timestamp(), clock_timestamp(), @start_at,
                        @parent_id, @parent_execution, @parent_task, COALESCE(@start_at, clock_timestamp()))
                ON CONFLICT (instance_id) DO NOTHING
                RETURNING instance_id)
            INSERT INTO {s}.messages (instance_id, execution_id, kind, event, visible_at)
            SELECT @id, @execution, {StartedKind}, @event, COALESCE(@start_at, clock_timestamp()) FROM new
            """;
        // A child whose id was taken (its row has another execution id): the parent's call fails instead.
        InsertChildFailure = $"""
            INSERT INTO {s}.messages (instance_id, execution_id, kind, event, visible_at)
            SELECT @parent, @parent_execution, @kind, @event, clock_timestamp()
            WHERE NOT EXISTS (SELECT 1 FROM {s}.instances WHERE instance_id = @id AND execution_id = @execution)
            """;

        const string columns = "instance_id, execution_id, name, version, status, created_at, updated_at, completed_at, scheduled_start_at, " +
                               "custom_status, failure, parent_instance_id, parent_execution_id, parent_task_id";
        SelectInstanceWithPayloads = $"SELECT {columns}, input, output FROM {s}.instances";
        SelectInstance = $"SELECT {columns}, NULL::text, NULL::text FROM {s}.instances";
        ListIds = $"SELECT instance_id, completed_at FROM {s}.instances WHERE completed_at IS NOT NULL";
        CurrentExecution = $"SELECT execution_id FROM {s}.instances WHERE instance_id = @id";
        History = $"SELECT event FROM {s}.history WHERE instance_id = @id ORDER BY seq";
        InstanceTree = $"""
            WITH RECURSIVE tree AS (
                SELECT instance_id, status, 0 AS depth FROM {s}.instances WHERE instance_id = @id
                UNION ALL
                SELECT c.instance_id, c.status, t.depth + 1 FROM {s}.instances c JOIN tree t ON c.parent_instance_id = t.instance_id WHERE t.depth < 100)
            SELECT instance_id, status FROM tree ORDER BY depth
            """;
        TruncateAll = $"TRUNCATE {s}.history, {s}.messages, {s}.activities, {s}.instances";

        // ---- orchestration work ----

        // SKIP LOCKED: concurrent callers (in any process) take different rows instead of queueing behind each other.
        // The lease (lock_token, lock_expires) keeps the instance taken after this statement; an expired lease (a crashed
        // host) makes it available again. One statement: lease and read the visible messages (ExecutionStarted first).
        LeaseInstances = $"""
            WITH now AS MATERIALIZED (SELECT clock_timestamp() AS t),
            picked AS MATERIALIZED (
                SELECT instance_id FROM {s}.instances
                WHERE ready_at <= (SELECT t FROM now) AND (lock_expires IS NULL OR lock_expires < (SELECT t FROM now))
                ORDER BY ready_at
                LIMIT @max
                FOR UPDATE SKIP LOCKED),
            leased AS (
                UPDATE {s}.instances i
                SET lock_token = @prefix || ':' || i.instance_id, lock_expires = (SELECT t FROM now) + @lease, attempts = i.attempts + 1
                FROM picked WHERE i.instance_id = picked.instance_id
                RETURNING i.instance_id, i.execution_id, i.name, i.status, i.history_count, i.attempts, i.last_error, i.last_episode_at,
                          i.parent_instance_id, i.parent_execution_id, i.parent_task_id, i.lock_token)
            SELECT l.instance_id, l.execution_id, l.name, l.status, l.history_count, l.attempts, l.last_error, l.last_episode_at,
                   l.parent_instance_id, l.parent_execution_id, l.parent_task_id, l.lock_token, (SELECT t FROM now),
                   m.id, m.execution_id, m.event
            FROM leased l
            LEFT JOIN LATERAL (
                SELECT id, execution_id, event, kind FROM {s}.messages m
                WHERE m.instance_id = l.instance_id AND m.visible_at <= (SELECT t FROM now) AND {InstanceStatus.LeaseTakesSql("l.status", "m.kind")}
                ORDER BY (m.kind = {StartedKind}) DESC, m.id
                LIMIT @limit) m ON true
            ORDER BY l.instance_id, (m.kind = {StartedKind}) DESC, m.id
            """;

        ReleaseInstance = $"""
            UPDATE {s}.instances i
            SET lock_token = NULL, lock_expires = NULL, last_error = @reason,
                ready_at = (SELECT CASE WHEN r IS NULL THEN NULL ELSE GREATEST(r, clock_timestamp() + @delay) END FROM (SELECT {nextReady} AS r) x)
            WHERE i.instance_id = @id AND i.lock_token = @token
            """;
        DiscardMessages = $"""
            DELETE FROM {s}.messages WHERE instance_id = @id AND id = ANY(@message_ids)
              AND EXISTS (SELECT 1 FROM {s}.instances WHERE instance_id = @id AND lock_token = @token)
            """;
        EndLeaseCleanly = $"""
            UPDATE {s}.instances i SET lock_token = NULL, lock_expires = NULL, attempts = 0, last_error = NULL, ready_at = {nextReady}
            WHERE i.instance_id = @id AND i.lock_token = @token
            """;

        UpdateAfterEpisode = $"""
            UPDATE {s}.instances
            SET execution_id = @execution, status = @status, output = @output, failure = @failure,
                custom_status = CASE WHEN @keep_custom THEN custom_status ELSE @custom END, input = COALESCE(@input, input),
                updated_at = clock_timestamp(), completed_at = CASE WHEN @finished THEN clock_timestamp() END,
                history_count = @count, last_episode_at = @episode, lock_token = NULL, lock_expires = NULL, attempts = 0, last_error = NULL
            WHERE instance_id = @id AND lock_token = @token
            """;
        DeleteMessages = $"DELETE FROM {s}.messages WHERE instance_id = @id AND id = ANY(@message_ids)";
        DeleteHistory = $"DELETE FROM {s}.history WHERE instance_id = @id";
        AppendHistory = $"""
            INSERT INTO {s}.history (instance_id, seq, event)
            SELECT @id, @first + (u.ord - 1)::int, u.event FROM unnest(@events::bytea[]) WITH ORDINALITY AS u(event, ord)
            """;
        InsertActivities = $"""
            INSERT INTO {s}.activities (instance_id, execution_id, task_id, request, visible_at)
            SELECT @id, @execution, u.task_id, u.request, clock_timestamp()
            FROM unnest(@task_ids::int[], @requests::bytea[]) WITH ORDINALITY AS u(task_id, request, ord)
            ORDER BY u.ord
            """;
        DeleteInbox = $"DELETE FROM {s}.messages WHERE instance_id = @id";
        DeleteIdleActivities = $"DELETE FROM {s}.activities WHERE instance_id = @id AND lock_token IS NULL";

        // ---- activity work ----

        // A leased work item is invisible until its lease expires (visible_at = lock_expires): an expired lease makes it
        // visible again without any sweeper.
        LeaseActivities = $"""
            WITH now AS MATERIALIZED (SELECT clock_timestamp() AS t),
            picked AS MATERIALIZED (
                SELECT id FROM {s}.activities WHERE visible_at <= (SELECT t FROM now) ORDER BY visible_at, id LIMIT @max FOR UPDATE SKIP LOCKED)
            UPDATE {s}.activities a
            SET lock_token = @prefix || a.id, lock_expires = (SELECT t FROM now) + @lease, visible_at = (SELECT t FROM now) + @lease, attempts = a.attempts + 1
            FROM picked WHERE a.id = picked.id
            RETURNING a.id, a.instance_id, a.execution_id, a.task_id, a.request, a.attempts, a.last_error, a.lock_token
            """;
        // Exactly once: the result counts only if this lease still holds the work item, checked and ended (the row
        // deleted) in the statement that records the result. The instance row is locked first (lock order).
        CompleteActivity = $"""
            WITH inst AS MATERIALIZED (SELECT status FROM {s}.instances WHERE instance_id = @instance FOR UPDATE),
            done AS (DELETE FROM {s}.activities WHERE id = @id AND lock_token = @token RETURNING id),
            recorded AS (
                INSERT INTO {s}.messages (instance_id, execution_id, kind, event, visible_at)
                SELECT @instance, @execution, @kind, @event, clock_timestamp() FROM done, inst WHERE inst.status NOT IN {finished}
                RETURNING 1)
            SELECT (SELECT count(*) FROM done), (SELECT count(*) FROM recorded)
            """;
        ReleaseActivity = $"""
            UPDATE {s}.activities SET lock_token = NULL, lock_expires = NULL, visible_at = clock_timestamp() + @delay, last_error = @reason
            WHERE id = @id AND lock_token = @token
            """;
        RenewInstances = $"""
            UPDATE {s}.instances SET lock_expires = clock_timestamp() + @lease
            WHERE instance_id IN (SELECT instance_id FROM {s}.instances WHERE lock_token = ANY(@tokens) ORDER BY instance_id FOR UPDATE)
              AND lock_token = ANY(@tokens)
            """;
        RenewActivities = $"""
            UPDATE {s}.activities SET lock_expires = clock_timestamp() + @lease, visible_at = clock_timestamp() + @lease
            WHERE id IN (SELECT id FROM {s}.activities WHERE lock_token = ANY(@tokens) ORDER BY id FOR UPDATE) AND lock_token = ANY(@tokens)
            """;

        Health = $"""
            SELECT (SELECT count(*) FROM {s}.messages WHERE visible_at <= clock_timestamp()),
                   (SELECT count(*) FROM {s}.activities),
                   (SELECT count(*) FROM {s}.messages WHERE visible_at > clock_timestamp())
            """;
        IsIdle = $"""
            SELECT NOT (EXISTS (SELECT 1 FROM {s}.instances WHERE ready_at <= clock_timestamp())
                     OR EXISTS (SELECT 1 FROM {s}.instances WHERE lock_token IS NOT NULL AND lock_expires > clock_timestamp())
                     OR EXISTS (SELECT 1 FROM {s}.activities WHERE visible_at <= clock_timestamp())
                     OR EXISTS (SELECT 1 FROM {s}.activities WHERE lock_token IS NOT NULL AND lock_expires > clock_timestamp()))
            """;
    }

    public string RecomputeReady { get; }
    public string InsertMessage { get; }
    public string InsertMessages { get; }
    public string LockStatus { get; }
    public string Reopen { get; }
    public string LockRows { get; }
    public string[] DeleteInstances { get; }
    public string InsertInstance { get; }
    public string InsertChildFailure { get; }
    public string SelectInstanceWithPayloads { get; }
    public string SelectInstance { get; }
    public string ListIds { get; }
    public string CurrentExecution { get; }
    public string History { get; }
    public string InstanceTree { get; }
    public string TruncateAll { get; }
    public string LeaseInstances { get; }
    public string ReleaseInstance { get; }
    public string DiscardMessages { get; }
    public string EndLeaseCleanly { get; }
    public string UpdateAfterEpisode { get; }
    public string DeleteMessages { get; }
    public string DeleteHistory { get; }
    public string AppendHistory { get; }
    public string InsertActivities { get; }
    public string DeleteInbox { get; }
    public string DeleteIdleActivities { get; }
    public string LeaseActivities { get; }
    public string CompleteActivity { get; }
    public string ReleaseActivity { get; }
    public string RenewInstances { get; }
    public string RenewActivities { get; }
    public string Health { get; }
    public string IsIdle { get; }
}
