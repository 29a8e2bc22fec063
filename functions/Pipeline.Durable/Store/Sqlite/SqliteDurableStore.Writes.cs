using Google.Protobuf;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Store.Sqlite;

// Statements shared by the write operations. They run on the writer thread, inside a write transaction.
public sealed partial class SqliteDurableStore
{
    private static readonly string MarkReadySql =
        "UPDATE instances SET ready_at = MIN(COALESCE(ready_at, @visible), @visible) " +
        $"WHERE instance_id = @id AND {InstanceStatus.TakesSql("status", "@kind")}";

    // ready_at: the earliest visible_at among the inbox messages the instance can take in its status (none: NULL).
    private static readonly string RecomputeReadySql =
        "UPDATE instances SET ready_at = (SELECT MIN(m.visible_at) FROM messages m WHERE m.instance_id = instances.instance_id " +
        $"AND {InstanceStatus.TakesSql("instances.status", "m.kind")}) WHERE instance_id = @id";

    private static P.OrchestrationStatus? StatusOf(SqliteWriter w, string instanceId)
        => w.Scalar("SELECT status FROM instances WHERE instance_id = @id", ("@id", instanceId)) is long status
            ? (P.OrchestrationStatus)status
            : null;

    private static void InsertMessage(SqliteWriter w, string instanceId, string? executionId, P.HistoryEvent message, long visibleAt)
    {
        var kind = (int)message.EventTypeCase;
        w.Execute("INSERT INTO messages (instance_id, execution_id, kind, event, visible_at) VALUES (@id, @execution, @kind, @event, @visible)",
            ("@id", instanceId), ("@execution", executionId), ("@kind", kind), ("@event", message.ToByteArray()), ("@visible", visibleAt));
        w.Execute(MarkReadySql, ("@visible", visibleAt), ("@id", instanceId), ("@kind", kind));
    }

    private static void RecomputeReady(SqliteWriter w, string instanceId) => w.Execute(RecomputeReadySql, ("@id", instanceId));

    private static void DeleteInstance(SqliteWriter w, string instanceId)
    {
        w.Execute("DELETE FROM history WHERE instance_id = @id", ("@id", instanceId));
        w.Execute("DELETE FROM messages WHERE instance_id = @id", ("@id", instanceId));
        w.Execute("DELETE FROM activities WHERE instance_id = @id", ("@id", instanceId));
        w.Execute("DELETE FROM instances WHERE instance_id = @id", ("@id", instanceId));
    }

    /// <summary>Inserts the instance (replacing any row with its id) and its ExecutionStarted message.</summary>
    private static void InsertInstance(SqliteWriter w, NewInstance instance, long now)
    {
        DeleteInstance(w, instance.InstanceId);
        long? startAt = instance.StartAt is { } at && ToTicks(at) > now ? ToTicks(at) : null;
        w.Execute(
            "INSERT INTO instances (instance_id, execution_id, name, version, status, input, created_at, updated_at, scheduled_start_at, " +
            "parent_instance_id, parent_execution_id, parent_task_id) " +
            "VALUES (@id, @execution, @name, @version, @status, @input, @now, @now, @startAt, @parentId, @parentExecution, @parentTask)",
            ("@id", instance.InstanceId), ("@execution", instance.ExecutionId), ("@name", instance.Name), ("@version", instance.Version),
            ("@status", (int)P.OrchestrationStatus.Pending), ("@input", instance.Input), ("@now", now), ("@startAt", startAt),
            ("@parentId", instance.Parent?.InstanceId), ("@parentExecution", instance.Parent?.ExecutionId), ("@parentTask", instance.Parent?.TaskScheduledId));
        InsertMessage(w, instance.InstanceId, instance.ExecutionId, instance.Started, startAt ?? now);
    }

    /// <summary>The instance and, transitively, its sub-orchestrations, parents before children.</summary>
    private static List<(string Id, P.OrchestrationStatus Status)> InstanceTree(SqliteWriter w, string instanceId)
    {
        var tree = new List<(string, P.OrchestrationStatus)>();
        if (StatusOf(w, instanceId) is not { } status) return tree;
        tree.Add((instanceId, status));
        for (var i = 0; i < tree.Count; i++)
        {
            using var reader = w.Query("SELECT instance_id, status FROM instances WHERE parent_instance_id = @id", ("@id", tree[i].Item1));
            while (reader.Read()) tree.Add((reader.GetString(0), (P.OrchestrationStatus)reader.GetInt64(1)));
        }
        return tree;
    }
}
