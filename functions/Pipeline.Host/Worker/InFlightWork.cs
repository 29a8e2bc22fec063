namespace Pipeline.Host.Worker;

/// <summary>
/// Counts what a graceful stop must wait for: invocations, and HTTP requests still streaming to or from the worker.
/// </summary>
public sealed class InFlightWork
{
    private readonly object _gate = new();
    private int _count;
    private TaskCompletionSource _idle = Completed();

    /// <summary>How many pieces of work are in flight now.</summary>
    public int Count
    {
        get { lock (_gate) return _count; }
    }

    /// <summary>Marks one piece of work in flight until the returned lease is disposed.</summary>
    public IDisposable Enter()
    {
        lock (_gate)
        {
            if (_count++ == 0) _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        return new Lease(this);
    }

    /// <summary>True when everything finished within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitIdleAsync(TimeSpan timeout)
    {
        Task idle;
        lock (_gate) idle = _idle.Task;
        try
        {
            await idle.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private void Exit()
    {
        TaskCompletionSource? idle = null;
        lock (_gate)
        {
            if (--_count == 0) idle = _idle;
        }
        idle?.TrySetResult();
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    private sealed class Lease(InFlightWork owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Exit();
        }
    }
}
