using System.Text.RegularExpressions;

namespace Pipeline.Durable.Storage.Postgres;

/// <summary>
/// The SQL of <see cref="PostgresOrchestrationStore"/>, with the schema name filled in once. Times are bigint
/// UTC ticks from the store's <see cref="TimeProvider"/> (never the server's <c>now()</c>, so tests can drive a
/// simulated clock and several machines agree on one clock source: the engine's).
/// </summary>
/// <remarks>
/// Lock order, which keeps concurrent transactions free of deadlocks: every transaction that writes to more than
/// one instance first locks all of their <c>instances</c> rows in one <c>SELECT … ORDER BY instance_id FOR UPDATE</c>,
/// and every message insert for an instance happens while holding that instance's row lock. The latter also makes
/// message ids (bigserial) increase in commit order per instance, so "ORDER BY id" is the order of arrival.
/// Activity rows are locked after instance rows, in id order. Deadlocks that slip through anyway (40P01) are
/// retried by the store.
/// </remarks>
internal sealed partial class PostgresSql
{
    /// <summary>Statuses after which nothing more happens to an instance.</summary>
    public const string TerminalStatuses = "('Completed', 'Failed', 'Terminated')";

    /// <summary>The only message kinds a suspended instance takes.</summary>
    public const string SuspendedKinds = "('" + nameof(ExecutionTerminatedEvent) + "', '" + nameof(ExecutionResumedEvent) + "')";

    public PostgresSql(string schema)
    {
        if (!SchemaName().IsMatch(schema))
            throw new ArgumentException("The schema name must be a plain identifier: letters, digits and underscores, at most 48 characters, not starting with a digit.", nameof(schema));
        Schema = schema;
        var s = Quote(schema);

        // ready_at's definition, in one place: the earliest visible_at among the inbox messages the instance (alias i)
        // can take at all: none when it has finished; only terminate/resume while it is suspended. Written inline, not
        // as a SQL function: PostgreSQL plans a non-inlined SQL function on every call, which made that the costliest
        // statement of a commit.
        string NextReadyAt(string status) => $"""
            CASE
                WHEN {status} IN {TerminalStatuses} THEN NULL
                WHEN {status} = 'Suspended' THEN
                    (SELECT min(m.visible_at) FROM {s}.messages m WHERE m.instance_id = i.instance_id AND m.kind IN {SuspendedKinds})
                ELSE (SELECT min(m.visible_at) FROM {s}.messages m WHERE m.instance_id = i.instance_id)
            END
            """;
        var nextReadyAt = NextReadyAt("i.status");
        Channel = schema + "_work";
        ListenChannel = Quote(Channel);

        // Serialises DDL across processes that initialise at the same time: CREATE … IF NOT EXISTS is not safe
        // against a concurrent creator (it can fail on the catalog's unique indexes).
        SchemaExists = "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = @schema)";
        AdvisoryLock = $"SELECT pg_advisory_xact_lock(hashtext('Pipeline.Durable schema {schema}'))";
        CreateSchema = $"CREATE SCHEMA IF NOT EXISTS {s}";
        CreateTables = $"""
            CREATE TABLE IF NOT EXISTS {s}.instances (
                instance_id         text PRIMARY KEY,
                execution_id        text NOT NULL,
                name                text NOT NULL,
                status              text NOT NULL,
                input               text,
                output              text,
                failure             text,
                custom_status       text,
                created_at          bigint NOT NULL,
                updated_at          bigint NOT NULL,
                completed_at        bigint,
                parent_instance_id  text,
                parent_execution_id text,
                parent_task_id      int,
                parent_name         text,
                history_count       int NOT NULL DEFAULT 0,
                ready_at            bigint,
                lock_owner          text,
                lock_expires        bigint,
                affinity_owner      text,
                affinity_expires    bigint);
            ALTER TABLE {s}.instances ADD COLUMN IF NOT EXISTS affinity_owner text;
            ALTER TABLE {s}.instances ADD COLUMN IF NOT EXISTS affinity_expires bigint;
            CREATE INDEX IF NOT EXISTS instances_ready_at ON {s}.instances (ready_at) WHERE ready_at IS NOT NULL;
            CREATE INDEX IF NOT EXISTS instances_created_at ON {s}.instances (created_at, instance_id);
            CREATE INDEX IF NOT EXISTS instances_status ON {s}.instances (status, created_at);
            CREATE INDEX IF NOT EXISTS instances_lock_owner ON {s}.instances (lock_owner) WHERE lock_owner IS NOT NULL;

            CREATE TABLE IF NOT EXISTS {s}.history (
                instance_id text NOT NULL,
                seq         int NOT NULL,
                event       text NOT NULL,
                PRIMARY KEY (instance_id, seq));

            CREATE TABLE IF NOT EXISTS {s}.messages (
                id           bigserial PRIMARY KEY,
                instance_id  text NOT NULL,
                execution_id text,
                kind         text NOT NULL,
                event        text NOT NULL,
                visible_at   bigint NOT NULL);
            CREATE INDEX IF NOT EXISTS messages_instance_visible ON {s}.messages (instance_id, visible_at);

            CREATE TABLE IF NOT EXISTS {s}.activities (
                id            bigserial PRIMARY KEY,
                instance_id   text NOT NULL,
                execution_id  text NOT NULL,
                task_id       int NOT NULL,
                name          text NOT NULL,
                input         text,
                visible_at    bigint NOT NULL,
                lock_owner    text,
                lock_expires  bigint,
                dequeue_count int NOT NULL DEFAULT 0);
            CREATE INDEX IF NOT EXISTS activities_instance ON {s}.activities (instance_id);
            CREATE INDEX IF NOT EXISTS activities_lock_owner ON {s}.activities (lock_owner) WHERE lock_owner IS NOT NULL;

            -- The lease guard of a step's commit, run as the first statement of the commit's batch: locks every instance
            -- row the commit writes to, in key order (no deadlocks between commits), then fails the whole batch with
            -- SQLSTATE PLLOS unless this worker still holds the lease on the execution and history the step ran on.
            CREATE OR REPLACE FUNCTION {s}.lock_for_step(p_ids text[], p_id text, p_worker text, p_execution text, p_expected int) RETURNS void
            LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM 1 FROM {s}.instances WHERE instance_id = ANY(p_ids) ORDER BY instance_id FOR UPDATE;
                IF NOT EXISTS (SELECT 1 FROM {s}.instances
                               WHERE instance_id = p_id AND lock_owner = p_worker AND execution_id = p_execution AND history_count = p_expected) THEN
                    RAISE EXCEPTION 'lease on % lost', p_id USING ERRCODE = 'PLLOS';
                END IF;
            END
            $$;

            DROP FUNCTION IF EXISTS {s}.next_ready_at(text, text);
            """;

        // ---- creating instances (client starts and sub-orchestrations share these) ----

        // A finished instance with a reused id is replaced: its history, inbox and work go first.
        DeleteFinishedInstances = $"""
            WITH finished AS (
                SELECT instance_id FROM {s}.instances
                WHERE instance_id = ANY(@ids) AND status IN {TerminalStatuses}
                FOR UPDATE),
            h AS (DELETE FROM {s}.history WHERE instance_id IN (SELECT instance_id FROM finished)),
            m AS (DELETE FROM {s}.messages WHERE instance_id IN (SELECT instance_id FROM finished)),
            a AS (DELETE FROM {s}.activities WHERE instance_id IN (SELECT instance_id FROM finished))
            DELETE FROM {s}.instances WHERE instance_id IN (SELECT instance_id FROM finished)
            """;

        // ON CONFLICT DO NOTHING: an id still in use (active instance, or one a concurrent transaction is creating)
        // is left alone; only the instances actually inserted get their ExecutionStarted message. The statement's
        // row count is the number of instances created.
        InsertInstances = $"""
            WITH new AS (
                INSERT INTO {s}.instances (instance_id, execution_id, name, status, input, created_at, updated_at,
                                           parent_instance_id, parent_execution_id, parent_task_id, parent_name,
                                           history_count, ready_at)
                SELECT u.instance_id, u.execution_id, u.name, 'Pending', u.input, u.created_at, u.created_at,
                       u.parent_instance_id, u.parent_execution_id, u.parent_task_id, u.parent_name, 0, @now
                FROM unnest(@ids::text[], @execution_ids::text[], @names::text[], @inputs::text[], @created_ats::bigint[],
                            @parent_ids::text[], @parent_execution_ids::text[], @parent_task_ids::int[], @parent_names::text[])
                     WITH ORDINALITY AS u(instance_id, execution_id, name, input, created_at,
                                          parent_instance_id, parent_execution_id, parent_task_id, parent_name, ord)
                ORDER BY u.ord
                ON CONFLICT (instance_id) DO NOTHING
                RETURNING instance_id, execution_id)
            INSERT INTO {s}.messages (instance_id, execution_id, kind, event, visible_at)
            SELECT u.instance_id, u.execution_id, '{nameof(ExecutionStartedEvent)}', u.event, @now
            FROM unnest(@ids::text[], @execution_ids::text[], @started_events::text[]) WITH ORDINALITY AS u(instance_id, execution_id, event, ord)
            JOIN new ON new.instance_id = u.instance_id AND new.execution_id = u.execution_id
            ORDER BY u.ord
            """;

        // A child whose id is held by an active instance was not created (its row has another execution id):
        // the parent's call fails instead of waiting forever.
        InsertChildFailures = $"""
            INSERT INTO {s}.messages (instance_id, execution_id, kind, event, visible_at)
            SELECT @parent_id, @parent_execution_id, '{nameof(SubOrchestrationFailedEvent)}', u.event, @now
            FROM unnest(@ids::text[], @execution_ids::text[], @failure_events::text[]) WITH ORDINALITY AS u(instance_id, execution_id, event, ord)
            WHERE NOT EXISTS (SELECT 1 FROM {s}.instances i WHERE i.instance_id = u.instance_id AND i.execution_id = u.execution_id)
            ORDER BY u.ord
            """;

        // ---- inbox ----

        LockInstanceStatus = $"SELECT status FROM {s}.instances WHERE instance_id = @id FOR UPDATE";

        // Caller holds the row lock (LockInstanceStatus) and has checked the instance is active.
        InsertMessage = $"""
            INSERT INTO {s}.messages (instance_id, execution_id, kind, event, visible_at)
            VALUES (@id, @execution_id, @kind, @event, @visible_at)
            """;
        MarkReady = $"""
            UPDATE {s}.instances
            SET ready_at = LEAST(COALESCE(ready_at, @visible_at), @visible_at)
            WHERE instance_id = @id AND (status <> 'Suspended' OR @kind IN {SuspendedKinds})
            """;

        // Outbound messages of a step: only targets that exist and have not finished take them (the step's own
        // instance always qualifies: it is leased, so active). Targets are row-locked by the caller.
        InsertOutboundMessages = $"""
            INSERT INTO {s}.messages (instance_id, execution_id, kind, event, visible_at)
            SELECT u.instance_id, u.execution_id, u.kind, u.event, u.visible_at
            FROM unnest(@ids::text[], @execution_ids::text[], @kinds::text[], @events::text[], @visible_ats::bigint[])
                 WITH ORDINALITY AS u(instance_id, execution_id, kind, event, visible_at, ord)
            JOIN {s}.instances i ON i.instance_id = u.instance_id
            WHERE i.status NOT IN {TerminalStatuses}
            ORDER BY u.ord
            """;

        RecomputeReadyAt = $"UPDATE {s}.instances i SET ready_at = {nextReadyAt} WHERE i.instance_id = ANY(@ids)";

        // ---- queries ----

        const string metadataColumns = "instance_id, name, status, created_at, updated_at, custom_status, failure";
        GetInstanceWithIo = $"SELECT {metadataColumns}, input, output FROM {s}.instances WHERE instance_id = @id";
        GetInstanceWithoutIo = $"SELECT {metadataColumns}, NULL, NULL FROM {s}.instances WHERE instance_id = @id";
        QueryInstancesWithIo = $"SELECT {metadataColumns}, input, output FROM {s}.instances";
        QueryInstancesWithoutIo = $"SELECT {metadataColumns}, NULL, NULL FROM {s}.instances";
        GetHistory = $"SELECT event FROM {s}.history WHERE instance_id = @id ORDER BY seq";

        PurgeInstance =
        [
            $"DELETE FROM {s}.history WHERE instance_id = @id",
            $"DELETE FROM {s}.messages WHERE instance_id = @id",
            $"DELETE FROM {s}.activities WHERE instance_id = @id",
            $"DELETE FROM {s}.instances WHERE instance_id = @id",
        ];

        // ---- orchestration work ----

        // SKIP LOCKED: concurrent callers (in any process) each take different rows instead of queueing behind each
        // other; a row another transaction is locking right now is simply not handed out by this call. The lease
        // (lock_owner, lock_expires) is what keeps the instance taken after this transaction commits; an expired
        // lease (crashed worker) makes it available again. MATERIALIZED: the locked set is computed exactly once.
        // One statement, one round trip: lease the instances and read their visible messages (oldest first, at most
        // @limit each; a suspended instance only its terminate/resume messages). MATERIALIZED: the locked set is
        // computed exactly once.
        LockNextInstances = $"""
            WITH picked AS MATERIALIZED (
                SELECT instance_id FROM {s}.instances
                WHERE ready_at <= @now AND (lock_expires IS NULL OR lock_expires < @now)
                  AND (affinity_owner IS NULL OR affinity_owner = @worker OR affinity_expires < @now)
                ORDER BY ready_at
                LIMIT @max
                FOR UPDATE SKIP LOCKED),
            leased AS (
                UPDATE {s}.instances i
                SET lock_owner = @worker, lock_expires = @expires
                FROM picked
                WHERE i.instance_id = picked.instance_id
                RETURNING i.instance_id, i.execution_id, i.name, i.status, i.history_count)
            SELECT l.instance_id, l.execution_id, l.name, l.status, l.history_count, m.id, m.execution_id, m.event
            FROM leased l
            LEFT JOIN LATERAL (
                SELECT id, execution_id, event FROM {s}.messages m
                WHERE m.instance_id = l.instance_id AND m.visible_at <= @now
                  AND (l.status <> 'Suspended' OR m.kind IN {SuspendedKinds})
                ORDER BY m.id
                LIMIT @limit) m ON true
            ORDER BY l.instance_id, m.id
            """;

        ReleaseInstances = $"""
            UPDATE {s}.instances i
            SET lock_owner = NULL, lock_expires = NULL, ready_at = {nextReadyAt}
            WHERE i.instance_id = ANY(@ids) AND i.lock_owner = @worker
            """;

        LockForStep = $"SELECT {s}.lock_for_step(@ids, @id, @worker, @execution_id, @expected)";

        DeleteConsumedMessages = $"DELETE FROM {s}.messages WHERE instance_id = @id AND id = ANY(@message_ids)";
        DeleteHistory = $"DELETE FROM {s}.history WHERE instance_id = @id";
        AppendHistory = $"""
            INSERT INTO {s}.history (instance_id, seq, event)
            SELECT @id, @first_seq + (u.ord - 1)::int, u.event
            FROM unnest(@events::text[]) WITH ORDINALITY AS u(event, ord)
            """;
        InsertActivities = $"""
            INSERT INTO {s}.activities (instance_id, execution_id, task_id, name, input, visible_at)
            SELECT u.instance_id, u.execution_id, u.task_id, u.name, u.input, @now
            FROM unnest(@ids::text[], @execution_ids::text[], @task_ids::int[], @names::text[], @inputs::text[])
                 WITH ORDINALITY AS u(instance_id, execution_id, task_id, name, input, ord)
            ORDER BY u.ord
            """;
        // Runs after the step's inbox changes, so ready_at is computed from them and the new status, in the same
        // write (each extra UPDATE of the row costs index entries: ready_at, status and lock_owner are indexed).
        // Affinity: for a short while only the worker that ran this step takes the next one. It has the orchestration
        // in memory; any other worker would first replay the whole history (ruinous for a large fan-in).
        UpdateInstanceAfterStep = $"""
            UPDATE {s}.instances i
            SET status = @status, output = @output, failure = @failure, custom_status = @custom_status,
                input = COALESCE(@input, input), execution_id = @new_execution_id,
                updated_at = @now, completed_at = @completed_at, history_count = @history_count,
                lock_owner = NULL, lock_expires = NULL, ready_at = {NextReadyAt("@status")},
                affinity_owner = @worker, affinity_expires = @affinity_expires
            WHERE i.instance_id = @id
            """;
        // A finished instance takes nothing more: its inbox goes, and so does work nobody is running. Activities
        // running under a live lease are left to finish; their results are dropped (the instance has finished).
        DeleteInbox = $"DELETE FROM {s}.messages WHERE instance_id = @id";
        DeleteIdleActivities = $"""
            DELETE FROM {s}.activities WHERE id IN (
                SELECT id FROM {s}.activities
                WHERE instance_id = @id AND (lock_expires IS NULL OR lock_expires < @now)
                ORDER BY id
                FOR UPDATE)
            """;

        AbandonInstance = $"""
            UPDATE {s}.instances i
            SET lock_owner = NULL, lock_expires = NULL,
                ready_at = (SELECT CASE WHEN r IS NULL THEN NULL ELSE GREATEST(r, @not_before) END
                            FROM (SELECT {nextReadyAt} AS r) x)
            WHERE instance_id = @id AND lock_owner = @worker
            """;

        // ---- activity work ----

        LockNextActivities = $"""
            WITH picked AS MATERIALIZED (
                SELECT id FROM {s}.activities
                WHERE visible_at <= @now AND (lock_expires IS NULL OR lock_expires < @now)
                ORDER BY id
                LIMIT @max
                FOR UPDATE SKIP LOCKED)
            UPDATE {s}.activities a
            SET lock_owner = @worker, lock_expires = @expires, dequeue_count = a.dequeue_count + 1
            FROM picked
            WHERE a.id = picked.id
            RETURNING a.id, a.instance_id, a.execution_id, a.task_id, a.name, a.input, a.dequeue_count
            """;

        LockInstances = $"SELECT instance_id FROM {s}.instances WHERE instance_id = ANY(@ids) ORDER BY instance_id FOR UPDATE";

        // Exactly once: a result counts only if this worker still holds the work item's lease, which is checked and
        // ended (the row deleted) in the same statement that records the result. A worker whose lease was taken over
        // deletes nothing and so records nothing; the new lease holder's result is recorded instead.
        CompleteActivities = $"""
            WITH done AS (
                DELETE FROM {s}.activities WHERE id IN (
                    SELECT id FROM {s}.activities
                    WHERE id = ANY(@activity_ids) AND lock_owner = @worker
                    ORDER BY id
                    FOR UPDATE)
                RETURNING id)
            INSERT INTO {s}.messages (instance_id, execution_id, kind, event, visible_at)
            SELECT r.instance_id, r.execution_id, r.kind, r.event, @now
            FROM unnest(@activity_ids::bigint[], @instance_ids::text[], @execution_ids::text[], @kinds::text[], @events::text[])
                 WITH ORDINALITY AS r(id, instance_id, execution_id, kind, event, ord)
            JOIN done ON done.id = r.id
            JOIN {s}.instances i ON i.instance_id = r.instance_id
            WHERE i.status NOT IN {TerminalStatuses}
            ORDER BY r.ord
            """;

        // Rows are locked in key order (see remarks), each statement on its own.
        RenewInstanceLeases = $"""
            UPDATE {s}.instances SET lock_expires = @expires
            WHERE instance_id IN (SELECT instance_id FROM {s}.instances WHERE lock_owner = @worker ORDER BY instance_id FOR UPDATE)
              AND lock_owner = @worker
            """;
        RenewActivityLeases = $"""
            UPDATE {s}.activities SET lock_expires = @expires
            WHERE id IN (SELECT id FROM {s}.activities WHERE lock_owner = @worker ORDER BY id FOR UPDATE)
              AND lock_owner = @worker
            """;

        Health = $"""
            SELECT
                (SELECT count(*) FILTER (WHERE visible_at <= @now) FROM {s}.messages),
                (SELECT count(*) FROM {s}.activities),
                (SELECT count(*) FILTER (WHERE visible_at > @now) FROM {s}.messages)
            """;
    }

    public string Schema { get; }
    /// <summary>NOTIFY channel name (as given to pg_notify).</summary>
    public string Channel { get; }
    /// <summary>The channel quoted for LISTEN.</summary>
    public string ListenChannel { get; }

    public string SchemaExists { get; }
    public string AdvisoryLock { get; }
    public string CreateSchema { get; }
    public string CreateTables { get; }
    public string DeleteFinishedInstances { get; }
    public string InsertInstances { get; }
    public string InsertChildFailures { get; }
    public string LockInstanceStatus { get; }
    public string InsertMessage { get; }
    public string MarkReady { get; }
    public string InsertOutboundMessages { get; }
    public string RecomputeReadyAt { get; }
    public string GetInstanceWithIo { get; }
    public string GetInstanceWithoutIo { get; }
    public string QueryInstancesWithIo { get; }
    public string QueryInstancesWithoutIo { get; }
    public string GetHistory { get; }
    public string[] PurgeInstance { get; }
    public string LockNextInstances { get; }
    public string ReleaseInstances { get; }
    public string LockForStep { get; }
    public string DeleteConsumedMessages { get; }
    public string DeleteHistory { get; }
    public string AppendHistory { get; }
    public string InsertActivities { get; }
    public string UpdateInstanceAfterStep { get; }
    public string DeleteInbox { get; }
    public string DeleteIdleActivities { get; }
    public string AbandonInstance { get; }
    public string LockNextActivities { get; }
    public string LockInstances { get; }
    public string CompleteActivities { get; }
    public string RenewInstanceLeases { get; }
    public string RenewActivityLeases { get; }
    public string Health { get; }

    private static string Quote(string identifier) => "\"" + identifier + "\"";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,47}$")]
    private static partial Regex SchemaName();
}
