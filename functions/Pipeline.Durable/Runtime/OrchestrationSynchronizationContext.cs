namespace Pipeline.Durable.Runtime;

/// <summary>
/// Runs orchestrator continuations one at a time on the thread that replays the orchestration, in the
/// order they become ready. This is what makes replay deterministic: awaiting a durable task never hops threads.
/// </summary>
internal sealed class OrchestrationSynchronizationContext : SynchronizationContext
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _ready = new();
    private int _runningThreadId = -1;

    /// <summary>True when called from orchestrator code that this context is running right now.</summary>
    public bool IsRunningHere => Current == this && _runningThreadId == Environment.CurrentManagedThreadId;

    public override void Post(SendOrPostCallback d, object? state)
    {
        lock (_ready) _ready.Enqueue((d, state));
    }

    public override void Send(SendOrPostCallback d, object? state)
        => throw new NotSupportedException("Orchestrator code cannot block on the orchestration thread.");

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Runs <paramref name="action"/> and then every continuation it makes ready, until none is left.</summary>
    public void Run(Action action)
    {
        var previous = Current;
        SetSynchronizationContext(this);
        _runningThreadId = Environment.CurrentManagedThreadId;
        try
        {
            action();
            while (true)
            {
                (SendOrPostCallback Callback, object? State) next;
                lock (_ready)
                {
                    if (_ready.Count == 0) return;
                    next = _ready.Dequeue();
                }
                next.Callback(next.State);
            }
        }
        finally
        {
            _runningThreadId = -1;
            SetSynchronizationContext(previous);
        }
    }
}
