using System.Data.Common;
using System.Text.Json;

namespace Pipeline.Durable.Storage.Sqlite;

/// <summary>Tables of the embedded store. Times are UTC ticks from the engine's clock (tests simulate time).</summary>
internal static class SqliteSchema
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS instances (
            instance_id TEXT PRIMARY KEY,
            execution_id TEXT NOT NULL,
            name TEXT NOT NULL,
            status TEXT NOT NULL,
            input TEXT, output TEXT, failure TEXT, custom_status TEXT,
            created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, completed_at INTEGER,
            parent_instance_id TEXT, parent_execution_id TEXT, parent_task_id INTEGER, parent_name TEXT,
            history_count INTEGER NOT NULL DEFAULT 0,
            ready_at INTEGER, lock_owner TEXT, lock_expires INTEGER);
        CREATE INDEX IF NOT EXISTS ix_instances_ready ON instances (ready_at) WHERE ready_at IS NOT NULL;
        CREATE INDEX IF NOT EXISTS ix_instances_created ON instances (created_at, instance_id);
        CREATE INDEX IF NOT EXISTS ix_instances_status ON instances (status, created_at);
        CREATE TABLE IF NOT EXISTS history (
            instance_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL,
            PRIMARY KEY (instance_id, seq)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            instance_id TEXT NOT NULL, execution_id TEXT, kind TEXT NOT NULL, event TEXT NOT NULL, visible_at INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_messages_instance ON messages (instance_id, id);
        CREATE TABLE IF NOT EXISTS activities (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            instance_id TEXT NOT NULL, execution_id TEXT NOT NULL, task_id INTEGER NOT NULL, name TEXT NOT NULL, input TEXT,
            visible_at INTEGER NOT NULL, lock_owner TEXT, lock_expires INTEGER, dequeue_count INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS ix_activities_instance ON activities (instance_id);
        """;

    public const string InstanceColumns = "instance_id, name, status, created_at, updated_at, input, output, custom_status, failure";

    public static OrchestrationMetadata ReadInstance(DbDataReader r, bool includeInputsAndOutputs) => new(r.GetString(1), r.GetString(0))
    {
        RuntimeStatus = Enum.Parse<OrchestrationRuntimeStatus>(r.GetString(2)),
        CreatedAt = new DateTime(r.GetInt64(3), DateTimeKind.Utc),
        LastUpdatedAt = new DateTime(r.GetInt64(4), DateTimeKind.Utc),
        SerializedInput = includeInputsAndOutputs && !r.IsDBNull(5) ? r.GetString(5) : null,
        SerializedOutput = includeInputsAndOutputs && !r.IsDBNull(6) ? r.GetString(6) : null,
        SerializedCustomStatus = r.IsDBNull(7) ? null : r.GetString(7),
        FailureDetails = r.IsDBNull(8) ? null : JsonSerializer.Deserialize<TaskFailureDetails>(r.GetString(8), JsonDataConverter.Options),
    };

    public static string FailureToJson(TaskFailureDetails failure) => JsonSerializer.Serialize(failure, JsonDataConverter.Options);
}
