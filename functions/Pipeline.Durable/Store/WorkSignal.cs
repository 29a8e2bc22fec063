namespace Pipeline.Durable.Store;

/// <summary>
/// An in-process wake-up for loops waiting for work. A signal that arrives while nobody waits is remembered, so a
/// wake-up is never lost between a loop's empty poll and its wait.
/// </summary>
public sealed class WorkSignal
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _pending;

    /// <summary>Wakes every current waiter, or the next one to wait.</summary>
    public void Set()
    {
        lock (_lock)
        {
            _pending = true;
            _next.TrySetResult();
        }
    }

    /// <summary>Returns when signalled or when <paramref name="maxWait"/> passes; throws when <paramref name="ct"/> is cancelled.</summary>
    public async Task WaitAsync(TimeSpan maxWait, CancellationToken ct)
    {
        Task wait;
        lock (_lock)
        {
            if (_pending)
            {
                _pending = false;
                return;
            }
            if (_next.Task.IsCompleted) _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            wait = _next.Task;
        }
        try
        {
            await wait.WaitAsync(maxWait, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Nothing arrived: the caller polls anyway.
        }
        lock (_lock) _pending = false;
    }
}
