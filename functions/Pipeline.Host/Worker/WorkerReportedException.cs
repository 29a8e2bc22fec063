namespace Pipeline.Host.Worker;

/// <summary>An exception the worker reported (in an RpcLog or a failed result), carried into the host's log with the worker's stack trace.</summary>
public sealed class WorkerReportedException : Exception
{
    private readonly string? _stackTrace;

    /// <summary>Wraps the worker's exception.</summary>
    public WorkerReportedException(Rpc.RpcException exception)
        : base(string.IsNullOrEmpty(exception.Message) ? "The worker reported an error without a message." : exception.Message)
    {
        _stackTrace = string.IsNullOrEmpty(exception.StackTrace) ? null : exception.StackTrace;
        Source = string.IsNullOrEmpty(exception.Source) ? null : exception.Source;
    }

    /// <summary>The worker's stack trace.</summary>
    public override string? StackTrace => _stackTrace;
}
