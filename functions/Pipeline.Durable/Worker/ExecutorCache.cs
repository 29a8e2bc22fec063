using Pipeline.Durable.Runtime;

namespace Pipeline.Durable;

/// <summary>
/// Orchestrations kept in memory between steps, least recently used evicted first. A cached executor is
/// used only when it matches the stored execution and history length exactly; otherwise it is replayed.
/// </summary>
internal sealed class ExecutorCache(int capacity)
{
    private readonly Dictionary<string, LinkedListNode<OrchestrationExecutor>> _byInstance = new();
    private readonly LinkedList<OrchestrationExecutor> _recency = new();
    private readonly Lock _lock = new();

    /// <summary>Removes and returns the instance's executor when it is exactly at the stored state.</summary>
    public OrchestrationExecutor? Take(string instanceId, string executionId, int historyCount)
    {
        lock (_lock)
        {
            if (!_byInstance.Remove(instanceId, out var node)) return null;
            _recency.Remove(node);
            var executor = node.Value;
            return executor.ExecutionId == executionId && executor.HistoryCount == historyCount ? executor : null;
        }
    }

    public void Put(OrchestrationExecutor executor)
    {
        if (capacity <= 0) return;
        lock (_lock)
        {
            if (_byInstance.Remove(executor.InstanceId, out var old)) _recency.Remove(old);
            _byInstance[executor.InstanceId] = _recency.AddFirst(executor);
            while (_byInstance.Count > capacity)
            {
                var last = _recency.Last!;
                _recency.RemoveLast();
                _byInstance.Remove(last.Value.InstanceId);
            }
        }
    }

    public void Remove(string instanceId)
    {
        lock (_lock)
        {
            if (_byInstance.Remove(instanceId, out var node)) _recency.Remove(node);
        }
    }
}
