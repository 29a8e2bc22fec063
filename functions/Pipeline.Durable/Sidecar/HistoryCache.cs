using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Sidecar;

/// <summary>
/// Recent instances' histories in memory (least recently used evicted beyond the capacity), so an episode does not read
/// its whole history from the database again. An entry is only used when it is exactly the stored history: same
/// execution and same length (within an execution history only grows, so these two identify it).
/// </summary>
internal sealed class HistoryCache(int capacity)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new();

    /// <summary>The cached history when it is exactly (<paramref name="executionId"/>, <paramref name="count"/> events).</summary>
    public CachedHistory? Get(string instanceId, string executionId, int count)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(instanceId, out var node)) return null;
            var entry = node.Value;
            if (entry.ExecutionId != executionId || entry.History.Events.Count != count)
            {
                Remove(node);
                return null;
            }
            _recency.Remove(node);
            _recency.AddFirst(node);
            return entry.History;
        }
    }

    /// <summary>Remembers a history (replacing what was cached for the instance).</summary>
    public void Set(string instanceId, string executionId, CachedHistory history)
    {
        if (capacity == 0) return;
        lock (_lock)
        {
            if (_entries.TryGetValue(instanceId, out var old)) Remove(old);
            var node = _recency.AddFirst(new Entry(instanceId, executionId, history));
            _entries[instanceId] = node;
            while (_entries.Count > capacity) Remove(_recency.Last!);
        }
    }

    /// <summary>Forgets an instance (its history changed in a way the cache did not see).</summary>
    public void Forget(string instanceId)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(instanceId, out var node)) Remove(node);
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.InstanceId);
    }

    private sealed record Entry(string InstanceId, string ExecutionId, CachedHistory History);
}

/// <summary>A history with its serialized size. Events are only appended, never changed.</summary>
internal sealed class CachedHistory
{
    private readonly List<P.HistoryEvent> _events;

    public CachedHistory(IEnumerable<P.HistoryEvent> events)
    {
        _events = [.. events];
        foreach (var e in _events) Bytes += e.CalculateSize();
    }

    /// <summary>The events in order.</summary>
    public IReadOnlyList<P.HistoryEvent> Events => _events;

    /// <summary>Approximate protobuf size of all events.</summary>
    public long Bytes { get; private set; }

    /// <summary>A new history with <paramref name="events"/> appended. This one's list is reused: callers only ever
    /// hold the latest history of an instance, and nobody reads past the count they were given.</summary>
    public CachedHistory Append(IReadOnlyList<P.HistoryEvent> events)
    {
        _events.AddRange(events);
        foreach (var e in events) Bytes += e.CalculateSize();
        return this;
    }
}
