using Pipeline.Durable.Store;

namespace Pipeline.Durable.Sidecar;

/// <summary>
/// Push-based waits for instance changes: the store reports each committed status change (on PostgreSQL also those of
/// other hosts, through NOTIFY), and every waiter for that instance wakes at once. Entries live only while someone waits.
/// </summary>
internal sealed class InstanceWaiters : IDisposable
{
    private readonly IDurableStore _store;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public InstanceWaiters(IDurableStore store)
    {
        _store = store;
        store.InstanceChanged += Signal;
    }

    /// <summary>Subscribes to the next change of <paramref name="instanceId"/>; subscribe before reading the state, so a change in between is not missed.</summary>
    public Subscription Subscribe(string instanceId)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(instanceId, out var entry)) _entries[instanceId] = entry = new Entry();
            entry.Subscribers++;
            return new Subscription(this, instanceId, entry.Changed.Task);
        }
    }

    private void Signal(string instanceId)
    {
        TaskCompletionSource? changed = null;
        lock (_lock)
        {
            if (_entries.TryGetValue(instanceId, out var entry))
            {
                changed = entry.Changed;
                entry.Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
        changed?.TrySetResult();
    }

    private void Unsubscribe(string instanceId)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(instanceId, out var entry) && --entry.Subscribers == 0) _entries.Remove(instanceId);
        }
    }

    public void Dispose() => _store.InstanceChanged -= Signal;

    private sealed class Entry
    {
        public TaskCompletionSource Changed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Subscribers { get; set; }
    }

    /// <summary>One waiter's interest in one instance.</summary>
    public sealed class Subscription(InstanceWaiters owner, string instanceId, Task changed) : IDisposable
    {
        /// <summary>Completes at the first change after subscribing.</summary>
        public Task Changed { get; } = changed;

        public void Dispose() => owner.Unsubscribe(instanceId);
    }
}
