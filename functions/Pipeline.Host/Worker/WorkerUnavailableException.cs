namespace Pipeline.Host.Worker;

/// <summary>
/// No worker could run the invocation: none is ready (starting, restarting, or the host is stopping), or the worker
/// stopped while the invocation was running. The invocation may be retried once a worker is ready again.
/// </summary>
public sealed class WorkerUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
