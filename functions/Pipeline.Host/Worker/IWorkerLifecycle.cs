namespace Pipeline.Host.Worker;

/// <summary>
/// The state of the worker process, for parts of the host that depend on it (HTTP routing, the durable bridge).
/// </summary>
public interface IWorkerLifecycle
{
    /// <summary>The ready worker, or null while none is (starting, restarting, stopping).</summary>
    WorkerGeneration? Current { get; }

    /// <summary>True once the host has begun to stop: no new invocations are taken.</summary>
    bool IsStopping { get; }

    /// <summary>
    /// Raised each time a worker has loaded its functions (at first start and after every restart), once it is
    /// <see cref="Current"/>. Handlers run on the supervisor's thread: keep them short; an exception is logged.
    /// </summary>
    event Action<WorkerGeneration>? Ready;

    /// <summary>
    /// Raised when a ready worker stops serving (it exited, crashed, broke its stream, or was restarted after a
    /// timeout), with the reason. Its in-flight invocations have already failed with <see cref="WorkerUnavailableException"/>.
    /// </summary>
    event Action<WorkerGeneration, string>? Lost;

    /// <summary>Completes with the ready worker, at once if there is one; cancel to stop waiting.</summary>
    Task<WorkerGeneration> WaitForReadyAsync(CancellationToken cancellationToken);
}
