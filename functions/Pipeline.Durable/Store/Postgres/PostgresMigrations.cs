namespace Pipeline.Durable.Store.Postgres;

/// <summary>
/// The PostgreSQL store's schema as numbered migrations, tracked in <c>{schema}.schema_version</c> and applied under an
/// advisory lock (several hosts may start at once). A migration is never edited once released; a change is a new one.
/// Times are <c>timestamptz</c> from the database's clock; statuses and message kinds are the protobuf enum values.
/// </summary>
internal static class PostgresMigrations
{
    /// <summary>The migrations for schema <paramref name="s"/> (already quoted), in order.</summary>
    public static string[] For(string s) =>
    [
        // 1: the task hub.
        $"""
        CREATE TABLE {s}.instances (
            instance_id         text PRIMARY KEY,
            execution_id        text NOT NULL,
            name                text NOT NULL,
            version             text,
            status              int NOT NULL,
            input               text,
            output              text,
            custom_status       text,
            failure             bytea,
            created_at          timestamptz NOT NULL,
            updated_at          timestamptz NOT NULL,
            completed_at        timestamptz,
            scheduled_start_at  timestamptz,
            parent_instance_id  text,
            parent_execution_id text,
            parent_task_id      int,
            history_count       int NOT NULL DEFAULT 0,
            last_episode_at     timestamptz,
            ready_at            timestamptz,
            lock_token          text,
            lock_expires        timestamptz,
            attempts            int NOT NULL DEFAULT 0,
            last_error          text);
        CREATE INDEX instances_ready ON {s}.instances (ready_at) WHERE ready_at IS NOT NULL;
        CREATE INDEX instances_created ON {s}.instances (created_at, instance_id);
        CREATE INDEX instances_completed ON {s}.instances (completed_at, instance_id) WHERE completed_at IS NOT NULL;
        CREATE INDEX instances_parent ON {s}.instances (parent_instance_id) WHERE parent_instance_id IS NOT NULL;
        CREATE INDEX instances_lock ON {s}.instances (lock_token) WHERE lock_token IS NOT NULL;
        CREATE TABLE {s}.history (
            instance_id text NOT NULL,
            seq         int NOT NULL,
            event       bytea NOT NULL,
            PRIMARY KEY (instance_id, seq));
        CREATE TABLE {s}.messages (
            id           bigserial PRIMARY KEY,
            instance_id  text NOT NULL,
            execution_id text,
            kind         int NOT NULL,
            event        bytea NOT NULL,
            visible_at   timestamptz NOT NULL);
        CREATE INDEX messages_instance ON {s}.messages (instance_id, id);
        CREATE INDEX messages_visible ON {s}.messages (visible_at);
        CREATE TABLE {s}.activities (
            id           bigserial PRIMARY KEY,
            instance_id  text NOT NULL,
            execution_id text NOT NULL,
            task_id      int NOT NULL,
            request      bytea NOT NULL,
            visible_at   timestamptz NOT NULL,
            lock_token   text,
            lock_expires timestamptz,
            attempts     int NOT NULL DEFAULT 0,
            last_error   text);
        CREATE INDEX activities_visible ON {s}.activities (visible_at, id);
        CREATE INDEX activities_instance ON {s}.activities (instance_id);
        CREATE INDEX activities_lock ON {s}.activities (lock_token) WHERE lock_token IS NOT NULL;
        """,
    ];
}
