using Microsoft.Data.Sqlite;

namespace Pipeline.Durable.Store.Sqlite;

/// <summary>
/// The embedded store's schema as numbered migrations, tracked in <c>PRAGMA user_version</c>. A migration is never
/// edited once released; a change is a new migration appended here. Times are UTC ticks from the sidecar's
/// <see cref="TimeProvider"/>; statuses and message kinds are the protobuf enum values; events are protobuf bytes.
/// </summary>
internal static class SqliteMigrations
{
    private static readonly string[] Migrations =
    [
        // 1: the task hub.
        """
        CREATE TABLE instances (
            instance_id TEXT PRIMARY KEY,
            execution_id TEXT NOT NULL,
            name TEXT NOT NULL,
            version TEXT,
            status INTEGER NOT NULL,
            input TEXT, output TEXT, custom_status TEXT, failure BLOB,
            created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, completed_at INTEGER, scheduled_start_at INTEGER,
            parent_instance_id TEXT, parent_execution_id TEXT, parent_task_id INTEGER,
            history_count INTEGER NOT NULL DEFAULT 0,
            last_episode_at INTEGER,
            ready_at INTEGER,
            lock_token TEXT, lock_expires INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT);
        CREATE INDEX ix_instances_ready ON instances (ready_at) WHERE ready_at IS NOT NULL;
        CREATE INDEX ix_instances_created ON instances (created_at, instance_id);
        CREATE INDEX ix_instances_completed ON instances (completed_at, instance_id) WHERE completed_at IS NOT NULL;
        CREATE INDEX ix_instances_parent ON instances (parent_instance_id) WHERE parent_instance_id IS NOT NULL;
        CREATE INDEX ix_instances_lock ON instances (lock_token) WHERE lock_token IS NOT NULL;
        CREATE TABLE history (
            instance_id TEXT NOT NULL, seq INTEGER NOT NULL, event BLOB NOT NULL,
            PRIMARY KEY (instance_id, seq)) WITHOUT ROWID;
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            instance_id TEXT NOT NULL, execution_id TEXT, kind INTEGER NOT NULL, event BLOB NOT NULL, visible_at INTEGER NOT NULL);
        CREATE INDEX ix_messages_instance ON messages (instance_id, id);
        CREATE INDEX ix_messages_visible ON messages (visible_at);
        CREATE TABLE activities (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            instance_id TEXT NOT NULL, execution_id TEXT NOT NULL, task_id INTEGER NOT NULL, request BLOB NOT NULL,
            visible_at INTEGER NOT NULL, lock_token TEXT, lock_expires INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT);
        CREATE INDEX ix_activities_visible ON activities (visible_at, id);
        CREATE INDEX ix_activities_instance ON activities (instance_id);
        CREATE INDEX ix_activities_lock ON activities (lock_token) WHERE lock_token IS NOT NULL;
        """,
    ];

    /// <summary>The schema version this build writes.</summary>
    public static int Latest => Migrations.Length;

    /// <summary>Applies every migration newer than the file's version, each in its own transaction.</summary>
    /// <exception cref="InvalidOperationException">The file was written by a newer build, or holds tables this store did not create.</exception>
    public static void Apply(SqliteConnection connection, string path)
    {
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version"));
        if (version > Latest)
            throw new InvalidOperationException($"The durable store '{path}' has schema version {version}, newer than this build's {Latest}: run a newer build, or point the sidecar at another file.");
        if (version == 0 && Convert.ToInt64(Scalar(connection, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'instances'")) > 0)
            throw new InvalidOperationException($"The file '{path}' holds tables of another store (an older engine's?): point the sidecar at a file of its own.");
        for (var next = version + 1; next <= Latest; next++)
        {
            using var transaction = connection.BeginTransaction();
            using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = Migrations[next - 1] + $";\nPRAGMA user_version = {next};";
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        }
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
