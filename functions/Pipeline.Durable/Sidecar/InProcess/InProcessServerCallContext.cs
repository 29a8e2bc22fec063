using Grpc.Core;

namespace Pipeline.Durable.Sidecar.InProcess;

/// <summary>
/// The server side's view of an in-process call: its method, deadline and a cancellation token that fires when the
/// caller's token does, the deadline passes, or the caller disposes the call.
/// </summary>
internal sealed class InProcessServerCallContext : ServerCallContext, IDisposable
{
    private readonly CancellationTokenSource _cancellation;
    private readonly DateTime _deadline;
    private readonly string _method;
    private readonly Metadata _requestHeaders;

    public InProcessServerCallContext(string method, CallOptions options)
    {
        _method = method;
        _deadline = options.Deadline ?? DateTime.MaxValue;
        _requestHeaders = options.Headers ?? [];
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken);
        if (options.Deadline is { } deadline && deadline != DateTime.MaxValue)
            _cancellation.CancelAfter(deadline.ToUniversalTime() - DateTime.UtcNow is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero);
    }

    /// <summary>The call's status as a client reads it once <paramref name="call"/> has ended.</summary>
    public Status Outcome(Task call) => call.Status switch
    {
        TaskStatus.RanToCompletion => Status.DefaultSuccess,
        TaskStatus.Faulted when call.Exception?.InnerException is RpcException e => e.Status,
        TaskStatus.Faulted => new Status(StatusCode.Unknown, call.Exception?.InnerException?.Message ?? "The call failed."),
        TaskStatus.Canceled => Status.DefaultCancelled,
        _ => throw new InvalidOperationException("The call has not ended yet."),
    };

    /// <summary>What a gRPC client would get for an exception the service's interceptor let through.</summary>
    public RpcException ToRpcException(Exception e) => e is OperationCanceledException && _cancellation.IsCancellationRequested
        ? new RpcException(_deadline <= DateTime.UtcNow ? new Status(StatusCode.DeadlineExceeded, "The deadline passed.") : Status.DefaultCancelled)
        : new RpcException(new Status(StatusCode.Unknown, $"Exception was thrown by handler. {e.GetType().Name}: {e.Message}", e));

    public void Dispose()
    {
        // Disposing a call cancels it if it is still running, as Grpc.Net.Client does.
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    protected override string MethodCore => _method;

    protected override string HostCore => "in-process";

    protected override string PeerCore => "in-process";

    protected override DateTime DeadlineCore => _deadline;

    protected override Metadata RequestHeadersCore => _requestHeaders;

    protected override CancellationToken CancellationTokenCore => _cancellation.Token;

    protected override Metadata ResponseTrailersCore { get; } = [];

    protected override Status StatusCore { get; set; }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore { get; } = new(null, new Dictionary<string, List<AuthProperty>>());

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options)
        => throw new NotSupportedException("In-process calls do not propagate to child calls.");

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
