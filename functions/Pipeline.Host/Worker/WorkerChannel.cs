using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using Pipeline.Host.Worker.Rpc;

namespace Pipeline.Host.Worker;

/// <summary>
/// The FunctionRpc conversation with one worker process, as Microsoft's host holds it (GrpcWorkerChannel): the worker
/// dials in and sends StartStream; the host sends WorkerInitRequest, then FunctionsMetadataRequest (worker indexing),
/// then one FunctionLoadRequest per function; once every function answered, the channel is loaded and carries
/// InvocationRequest/InvocationResponse, InvocationCancel and RpcLog. When the stream ends, every invocation still
/// waiting fails at once with <see cref="WorkerUnavailableException"/>.
/// </summary>
internal sealed class WorkerChannel
{
    /// <summary>What the host tells the worker it is (informational for the worker).</summary>
    public const string HostVersion = "4.1040.0-pipeline";

    private const string HttpUriCapability = "HttpUri";
    private const string HandlesInvocationCancelCapability = "HandlesInvocationCancelMessage";
    private const string HandlesWorkerTerminateCapability = "HandlesWorkerTerminateMessage";

    private readonly string _appDirectory;
    private readonly ILogger _logger;
    private readonly WorkerLogForwarder _logs;
    private readonly Channel<StreamingMessage> _outbound = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<InvocationResponse>> _pending = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<IReadOnlyList<LoadedFunction>> _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, LoadedFunction> _loading = new(StringComparer.Ordinal);
    private readonly List<LoadedFunction> _loadedFunctions = [];
    private Dictionary<string, string> _capabilities = new(StringComparer.Ordinal);
    private int _attached;
    private int _awaitingLoad;

    public WorkerChannel(string workerId, string appDirectory, ILogger logger, WorkerLogForwarder logs)
    {
        WorkerId = workerId;
        _appDirectory = appDirectory;
        _logger = logger;
        _logs = logs;
    }

    /// <summary>The id the worker was started with and must present in StartStream.</summary>
    public string WorkerId { get; }

    /// <summary>The worker's capabilities from WorkerInitResponse (empty before).</summary>
    public IReadOnlyDictionary<string, string> Capabilities => _capabilities;

    /// <summary>The worker's own HTTP listener (capability <c>HttpUri</c>), where HTTP requests are forwarded; null if it has none.</summary>
    public Uri? HttpUri { get; private set; }

    /// <summary>Completes with the loaded functions once every FunctionLoadResponse arrived; faults if the worker fails to start.</summary>
    public Task<IReadOnlyList<LoadedFunction>> Loaded => _loaded.Task;

    /// <summary>Completes with the reason once the stream has ended (or the channel was closed by the host).</summary>
    public Task<string> Closed => _closed.Task;

    /// <summary>True when the worker understands WorkerTerminate.</summary>
    public bool HandlesWorkerTerminate => _capabilities.ContainsKey(HandlesWorkerTerminateCapability);

    /// <summary>
    /// Runs the conversation on the worker's stream until it ends. The caller has already read StartStream with this
    /// channel's worker id. Never throws for a stream that breaks: that is how a worker's death looks from here.
    /// </summary>
    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> input, IServerStreamWriter<StreamingMessage> output, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _attached, 1) != 0)
            throw new Grpc.Core.RpcException(new Status(StatusCode.AlreadyExists, $"Worker {WorkerId} is already connected."));

        var writer = WriteAllAsync(output, cancellationToken);
        Send(new StreamingMessage
        {
            RequestId = NewRequestId(),
            WorkerInitRequest = new WorkerInitRequest { HostVersion = HostVersion, WorkerDirectory = _appDirectory, FunctionAppDirectory = _appDirectory },
        });

        var reason = "the worker closed its FunctionRpc stream";
        try
        {
            while (await input.MoveNext(cancellationToken).ConfigureAwait(false)) Dispatch(input.Current);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            reason = "the FunctionRpc stream was cancelled";
        }
        catch (Exception e) when (e is IOException or Grpc.Core.RpcException or InvalidOperationException)
        {
            reason = $"the FunctionRpc stream broke ({e.Message})";
        }
        finally
        {
            Close(reason);
            await writer.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Registers an invocation so its response is routed back; send the request afterwards. Fails at once (faulted
    /// task) when the channel is closed.
    /// </summary>
    public Task<InvocationResponse> Register(string invocationId)
    {
        var completion = new TaskCompletionSource<InvocationResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(invocationId, completion)) throw new InvalidOperationException($"Invocation {invocationId} is already registered.");
        // Close() drains _pending after marking the channel closed: whichever of the two runs second fails it.
        if (Closed.IsCompleted && _pending.TryRemove(invocationId, out _))
            completion.TrySetException(Stopped(invocationId, Closed.Result));
        return completion.Task;
    }

    /// <summary>Drops the registration of an invocation that was never sent.</summary>
    public void Forget(string invocationId) => _pending.TryRemove(invocationId, out _);

    /// <summary>Queues a message for the worker (messages go out in order; dropped once the channel is closed).</summary>
    public void Send(StreamingMessage message)
    {
        if (!_outbound.Writer.TryWrite(message))
            _logger.LogDebug("Worker {WorkerId}: dropped a {Message} sent after the channel closed", WorkerId, message.ContentCase);
    }

    /// <summary>Asks the worker to cancel an invocation (only if the worker advertised that it handles InvocationCancel).</summary>
    public void Cancel(string invocationId)
    {
        if (!_capabilities.ContainsKey(HandlesInvocationCancelCapability)) return;
        Send(new StreamingMessage { InvocationCancel = new InvocationCancel { InvocationId = invocationId } });
    }

    /// <summary>
    /// Ends the conversation: every waiting invocation fails with <see cref="WorkerUnavailableException"/> naming
    /// <paramref name="reason"/>, and a worker that had not finished loading counts as failed to start.
    /// </summary>
    public void Close(string reason)
    {
        if (!_closed.TrySetResult(reason)) return;
        _outbound.Writer.TryComplete();
        _loaded.TrySetException(new WorkerUnavailableException($"The worker stopped before its functions were loaded: {reason}."));
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var completion)) completion.TrySetException(Stopped(id, reason));
        }
    }

    private static WorkerUnavailableException Stopped(string invocationId, string reason)
        => new($"The worker process stopped while invocation {invocationId} was running: {reason}.");

    private void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                OnInvocationResponse(message.InvocationResponse);
                break;
            case StreamingMessage.ContentOneofCase.RpcLog:
                _logs.Forward(message.RpcLog);
                break;
            case StreamingMessage.ContentOneofCase.WorkerInitResponse:
                OnWorkerInitResponse(message.WorkerInitResponse);
                break;
            case StreamingMessage.ContentOneofCase.FunctionMetadataResponse:
                OnFunctionMetadataResponse(message.FunctionMetadataResponse);
                break;
            case StreamingMessage.ContentOneofCase.FunctionLoadResponse:
                OnFunctionLoadResponse(message.FunctionLoadResponse);
                break;
            default:
                _logger.LogDebug("Worker {WorkerId}: ignored a {Message} message", WorkerId, message.ContentCase);
                break;
        }
    }

    private void OnWorkerInitResponse(WorkerInitResponse response)
    {
        if (response.Result?.Status == StatusResult.Types.Status.Failure)
        {
            FailStart("the worker failed to initialise", response.Result);
            return;
        }
        _capabilities = new Dictionary<string, string>(response.Capabilities, StringComparer.Ordinal);
        _logger.LogDebug("Worker {WorkerId} capabilities: {Capabilities}", WorkerId, string.Join(", ", _capabilities.Keys));
        if (_capabilities.TryGetValue(HttpUriCapability, out var httpUri) && !string.IsNullOrEmpty(httpUri))
        {
            // The worker's listener trusts x-ms-invocation-id alone: refuse one that is not on this machine's loopback.
            if (!Uri.TryCreate(httpUri, UriKind.Absolute, out var uri) || !uri.IsLoopback || uri.Scheme != Uri.UriSchemeHttp)
            {
                FailStart($"the worker's HTTP listener '{httpUri}' is not an http:// loopback address", null);
                return;
            }
            HttpUri = uri;
        }
        Send(new StreamingMessage { RequestId = NewRequestId(), FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = _appDirectory } });
    }

    private void OnFunctionMetadataResponse(FunctionMetadataResponse response)
    {
        if (response.Result?.Status == StatusResult.Types.Status.Failure)
        {
            FailStart("the worker failed to index its functions", response.Result);
            return;
        }
        if (response.UseDefaultMetadataIndexing)
        {
            // Host-side indexing (reading functions.metadata) is for workers without worker indexing; Worker.Sdk 2.x
            // apps always index themselves (worker.config.json: workerIndexing true).
            FailStart("the worker asked the host to index functions.metadata itself, which this host does not do (build the app with Microsoft.Azure.Functions.Worker.Sdk 2.x)", null);
            return;
        }

        var loadRequests = new List<StreamingMessage>();
        lock (_loading)
        {
            foreach (var metadata in response.FunctionMetadataResults)
            {
                if (metadata.Status?.Status == StatusResult.Types.Status.Failure)
                {
                    _logger.LogError(ToException(metadata.Status), "The worker could not index function {Function}; it is not served", metadata.Name);
                    continue;
                }
                LoadedFunction function;
                try
                {
                    function = new LoadedFunction(metadata.FunctionId, metadata.Name, metadata.EntryPoint, [.. metadata.RawBindings.Select(FunctionBinding.Parse)]);
                }
                catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
                {
                    _logger.LogError(e, "Function {Function} has bindings this host cannot read; it is not served", metadata.Name);
                    continue;
                }
                _loading[metadata.FunctionId] = function;
                // One FunctionLoadRequest per function: the dotnet worker has no handler for FunctionLoadRequestCollection.
                loadRequests.Add(new StreamingMessage
                {
                    RequestId = NewRequestId(),
                    FunctionLoadRequest = new FunctionLoadRequest { FunctionId = metadata.FunctionId, Metadata = metadata },
                });
            }
            _awaitingLoad = loadRequests.Count;
        }
        if (loadRequests.Count == 0)
        {
            _logger.LogWarning("The worker reported no functions to load");
            _loaded.TrySetResult([]);
            return;
        }
        foreach (var request in loadRequests) Send(request);
    }

    private void OnFunctionLoadResponse(FunctionLoadResponse response)
    {
        lock (_loading)
        {
            if (!_loading.Remove(response.FunctionId, out var function)) return;
            if (response.Result?.Status == StatusResult.Types.Status.Failure)
                _logger.LogError(ToException(response.Result), "The worker failed to load function {Function}; it is not served", function.Name);
            else
                _loadedFunctions.Add(function);
            if (--_awaitingLoad > 0) return;
        }
        _loaded.TrySetResult(_loadedFunctions.OrderBy(f => f.Name, StringComparer.Ordinal).ToList());
    }

    private void OnInvocationResponse(InvocationResponse response)
    {
        if (_pending.TryRemove(response.InvocationId, out var completion)) completion.TrySetResult(response);
        else _logger.LogDebug("Worker {WorkerId}: response for unknown invocation {InvocationId}", WorkerId, response.InvocationId);
    }

    private void FailStart(string what, StatusResult? result)
    {
        var exception = ToException(result);
        _logger.LogError(exception, "Worker {WorkerId}: {What}", WorkerId, what);
        _loaded.TrySetException(new WorkerUnavailableException($"The worker did not start: {what}.", exception));
        Close(what);
    }

    private static WorkerReportedException? ToException(StatusResult? result)
        => result?.Exception is { } e ? new WorkerReportedException(e) : null;

    private async Task WriteAllAsync(IServerStreamWriter<StreamingMessage> output, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _outbound.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                await output.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The call ended: the read side closes the channel with the reason.
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            _logger.LogDebug(e, "Worker {WorkerId}: stopped writing to the FunctionRpc stream", WorkerId);
            Close($"the FunctionRpc stream could not be written ({e.Message})");
        }
    }

    private static string NewRequestId() => Guid.NewGuid().ToString();
}
