using System.Collections.Concurrent;
using System.Reflection;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.Options;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Host.Durable;

/// <summary>
/// Microsoft's <see cref="TaskHubGrpcServer"/> (Microsoft.DurableTask.InProcessTestHost) over
/// <see cref="AzureStorageOrchestrationService"/>, with what a host that restarts workers needs and the test server
/// leaves out:
/// <list type="bullet">
/// <item>Abandon: TaskHubGrpcServer answers AbandonTask*WorkItem with a no-op and never gives up on a work item sent
/// over a stream that then ended, so an orchestration whose worker died would wait forever. Here an abandoned work
/// item, and every work item still out when its stream ends, fails its pending execution; the server's dispatcher then
/// abandons it in Azure Storage, which hands it out again (as Durable Functions retries work a dead worker held).</item>
/// <item>History: StreamInstanceHistory serves only in-flight large histories there; here it reads the stored history
/// (<c>showHistory=true</c> of the management API).</item>
/// <item>Sub-orchestrations: their tags are converted so that DurableTask.AzureStorage can store them (see
/// <see cref="CompleteOrchestratorTask"/>).</item>
/// <item>Rewind: mapped to DurableTask.AzureStorage's rewind of a failed instance.</item>
/// </list>
/// Completion tokens on the stream are <c>o:{instanceId}</c> and <c>a:{instanceId}_{taskId}</c>, the keys
/// TaskHubGrpcServer pends executions under (one execution per instance, one per activity task).
/// </summary>
internal sealed class AzureStorageGrpcServer : TaskHubGrpcServer
{
    private readonly AzureStorageOrchestrationService _service;
    private readonly ILogger<AzureStorageGrpcServer> _logger;
    private readonly PendingExecutions _orchestrations;
    private readonly PendingExecutions _activities;
    private readonly PendingExecutions _streamedHistories;

    /// <summary>Work items out on a stream, by completion token, with the stream that carries them.</summary>
    private readonly ConcurrentDictionary<string, object> _outstanding = new(StringComparer.OrdinalIgnoreCase);

    public AzureStorageGrpcServer(IHostApplicationLifetime lifetime, ILoggerFactory loggers, AzureStorageOrchestrationService service,
        IOptions<TaskHubGrpcServerOptions> options)
        : base(lifetime, loggers, new AzureStorageDispatchService(service), service, options)
    {
        _service = service;
        _logger = loggers.CreateLogger<AzureStorageGrpcServer>();
        _orchestrations = new PendingExecutions(this, "pendingOrchestratorTasks");
        _activities = new PendingExecutions(this, "pendingActivityTasks");
        _streamedHistories = new PendingExecutions(this, "streamingPastEvents");
    }

    /// <inheritdoc/>
    public override async Task GetWorkItems(P.GetWorkItemsRequest request, IServerStreamWriter<P.WorkItem> responseStream, ServerCallContext context)
    {
        var stream = new TrackingWriter(responseStream, this);
        try
        {
            await base.GetWorkItems(request, stream, context).ConfigureAwait(false);
        }
        finally
        {
            var left = _outstanding.Where(e => ReferenceEquals(e.Value, stream)).Select(e => e.Key).ToList();
            foreach (var token in left) Fail(token, "its work-item stream ended before it completed");
            if (left.Count > 0) _logger.LogInformation("Durable (azureStorage): {Count} work items of a closed stream are abandoned, to be handed out again", left.Count);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// A whole (not chunked) response is converted here rather than by the base class: 0.2.3-preview.1 copies a
    /// sub-orchestration's protobuf tag map into the ExecutionStarted message as is, which DurableTask.AzureStorage then
    /// stores with a type name it cannot load back, so the child never starts (fixed in later sources, not released).
    /// </remarks>
    public override Task<P.CompleteTaskResponse> CompleteOrchestratorTask(P.OrchestratorResponse request, ServerCallContext context)
    {
        _outstanding.TryRemove(OrchestrationToken(request.InstanceId), out _);
#pragma warning disable CS0612 // isPartial: chunked responses, which the bridge does not send, are left to the base class.
        if (request.IsPartial || !_orchestrations.TryTake(request.InstanceId, out var pending))
#pragma warning restore CS0612
        {
            return base.CompleteOrchestratorTask(request, context);
        }
        var actions = request.Actions.Select(ProtobufUtils.ToOrchestratorAction).ToList();
        foreach (var child in actions.OfType<DurableTask.Core.Command.CreateSubOrchestrationAction>())
            child.Tags = child.Tags is { Count: > 0 } tags ? new Dictionary<string, string>(tags, StringComparer.Ordinal) : null;
        _orchestrations.Complete(pending, new Microsoft.DurableTask.Testing.Sidecar.Dispatcher.GrpcOrchestratorExecutionResult
        {
            Actions = actions,
            CustomStatus = request.CustomStatus,
            OrchestrationActivitySpanId = request.OrchestrationTraceContext?.SpanID,
            OrchestrationActivityStartTime = request.OrchestrationTraceContext?.SpanStartTime?.ToDateTimeOffset(),
        });
        return Task.FromResult(new P.CompleteTaskResponse());
    }

    /// <inheritdoc/>
    public override Task<P.CompleteTaskResponse> CompleteActivityTask(P.ActivityResponse request, ServerCallContext context)
    {
        _outstanding.TryRemove(ActivityToken(request.InstanceId, request.TaskId), out _);
        return base.CompleteActivityTask(request, context);
    }

    /// <inheritdoc/>
    public override Task<P.AbandonOrchestrationTaskResponse> AbandonTaskOrchestratorWorkItem(P.AbandonOrchestrationTaskRequest request, ServerCallContext context)
    {
        Fail(request.CompletionToken, "the host abandoned it");
        return Task.FromResult(new P.AbandonOrchestrationTaskResponse());
    }

    /// <inheritdoc/>
    public override Task<P.AbandonActivityTaskResponse> AbandonTaskActivityWorkItem(P.AbandonActivityTaskRequest request, ServerCallContext context)
    {
        Fail(request.CompletionToken, "the host abandoned it");
        return Task.FromResult(new P.AbandonActivityTaskResponse());
    }

    /// <inheritdoc/>
    public override async Task StreamInstanceHistory(P.StreamInstanceHistoryRequest request, IServerStreamWriter<P.HistoryChunk> responseStream, ServerCallContext context)
    {
        if (_streamedHistories.Contains(request.InstanceId))
        {
            await base.StreamInstanceHistory(request, responseStream, context).ConfigureAwait(false);
            return;
        }
        var json = await _service.GetOrchestrationHistoryAsync(request.InstanceId, string.IsNullOrEmpty(request.ExecutionId) ? null : request.ExecutionId).ConfigureAwait(false);
        var chunk = new P.HistoryChunk();
        chunk.Events.AddRange(AzureStorageHistory.FromJson(json));
        await responseStream.WriteAsync(chunk, context.CancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async Task<P.GetInstanceResponse> GetInstance(P.GetInstanceRequest request, ServerCallContext context)
        => await WithFailureDetailsAsync(await base.GetInstance(request, context).ConfigureAwait(false), request).ConfigureAwait(false);

    /// <inheritdoc/>
    public override async Task<P.GetInstanceResponse> WaitForInstanceCompletion(P.GetInstanceRequest request, ServerCallContext context)
        => await WithFailureDetailsAsync(await base.WaitForInstanceCompletion(request, context).ConfigureAwait(false), request).ConfigureAwait(false);

    /// <summary>
    /// DurableTask.AzureStorage keeps a failed instance's failure details only in its history (the instance table has
    /// the message as output), so TaskHubGrpcServer reports none; they are read from the ExecutionCompleted event.
    /// </summary>
    private async Task<P.GetInstanceResponse> WithFailureDetailsAsync(P.GetInstanceResponse response, P.GetInstanceRequest request)
    {
        var state = response.OrchestrationState;
        if (!response.Exists || !request.GetInputsAndOutputs || state.OrchestrationStatus != P.OrchestrationStatus.Failed || state.FailureDetails is not null)
            return response;
        var json = await _service.GetOrchestrationHistoryAsync(state.InstanceId, executionId: null).ConfigureAwait(false);
        state.FailureDetails = AzureStorageHistory.FromJson(json).LastOrDefault(e => e.ExecutionCompleted is not null)?.ExecutionCompleted.FailureDetails;
        return response;
    }

    /// <inheritdoc/>
    public override async Task<P.RewindInstanceResponse> RewindInstance(P.RewindInstanceRequest request, ServerCallContext context)
    {
        var state = await _service.GetOrchestrationStateAsync(request.InstanceId, executionId: null).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"No instance '{request.InstanceId}'."));
        if (state.OrchestrationStatus != OrchestrationStatus.Failed)
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Only a failed instance can be rewound; '{request.InstanceId}' is {state.OrchestrationStatus}."));
        await _service.RewindTaskOrchestrationAsync(request.InstanceId, request.Reason).ConfigureAwait(false);
        return new P.RewindInstanceResponse();
    }

    private static string OrchestrationToken(string instanceId) => "o:" + instanceId;

    private static string ActivityToken(string instanceId, int taskId) => $"a:{instanceId}_{taskId}";

    /// <summary>Fails the pending execution of <paramref name="token"/>, so the dispatcher abandons its work item.</summary>
    private void Fail(string token, string why)
    {
        if (!_outstanding.TryRemove(token, out _)) return;
        var failed = token.StartsWith("o:", StringComparison.Ordinal)
            ? _orchestrations.Fail(token[2..], why)
            : token.StartsWith("a:", StringComparison.Ordinal) && _activities.Fail(token[2..], why);
        if (failed) _logger.LogDebug("Durable (azureStorage): work item {Token} abandoned: {Why}", token, why);
    }

    /// <summary>The stream given to TaskHubGrpcServer: stamps each work item's completion token and notes it as outstanding.</summary>
    private sealed class TrackingWriter(IServerStreamWriter<P.WorkItem> inner, AzureStorageGrpcServer server) : IServerStreamWriter<P.WorkItem>
    {
        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public async Task WriteAsync(P.WorkItem message)
        {
            var token = message.RequestCase switch
            {
                P.WorkItem.RequestOneofCase.OrchestratorRequest => OrchestrationToken(message.OrchestratorRequest.InstanceId),
                P.WorkItem.RequestOneofCase.ActivityRequest => ActivityToken(message.ActivityRequest.OrchestrationInstance.InstanceId, message.ActivityRequest.TaskId),
                _ => null,
            };
            if (token is not null)
            {
                message.CompletionToken = token;
                server._outstanding[token] = this;
            }
            try
            {
                await inner.WriteAsync(message).ConfigureAwait(false);
            }
            catch
            {
                // TaskHubGrpcServer drops the pending execution itself when the write fails.
                if (token is not null) server._outstanding.TryRemove(token, out _);
                throw;
            }
        }
    }

    /// <summary>
    /// One of TaskHubGrpcServer's private dictionaries of pending executions (instance or task key → completion
    /// source). Read by reflection: the package (pinned, 0.2.3-preview.1) exposes no way to give up on an execution.
    /// Checked at construction, so a package update that renames them stops the host at start, not at the first abandon.
    /// </summary>
    private sealed class PendingExecutions
    {
        private readonly object _dictionary;
        private readonly MethodInfo _tryRemove;
        private readonly MethodInfo _containsKey;
        private readonly MethodInfo? _trySetException;
        private readonly MethodInfo? _trySetResult;

        public PendingExecutions(TaskHubGrpcServer server, string field)
        {
            _dictionary = typeof(TaskHubGrpcServer).GetField(field, BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(server)
                ?? throw new InvalidOperationException($"TaskHubGrpcServer has no field {field}: the azureStorage provider needs Microsoft.DurableTask.InProcessTestHost 0.2.3-preview.1.");
            var type = _dictionary.GetType();
            var valueType = type.GetGenericArguments()[1];
            _tryRemove = type.GetMethod("TryRemove", [typeof(string), valueType.MakeByRefType()])!;
            _containsKey = type.GetMethod("ContainsKey", [typeof(string)])!;
            _trySetException = valueType.GetMethod("TrySetException", [typeof(Exception)]);
            _trySetResult = valueType.GetMethod("TrySetResult");
        }

        /// <summary>Removes the pending execution of <paramref name="key"/>; false when none was pending.</summary>
        public bool TryTake(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out object? pending)
        {
            object?[] args = [key, null];
            var taken = (bool)_tryRemove.Invoke(_dictionary, args)!;
            pending = args[1];
            return taken && pending is not null;
        }

        /// <summary>Completes a pending execution taken with <see cref="TryTake"/>.</summary>
        public void Complete(object pending, object result) => _trySetResult!.Invoke(pending, [result]);

        public bool Contains(string key) => (bool)_containsKey.Invoke(_dictionary, [key])!;

        /// <summary>Removes the pending execution and fails it; false when none was pending.</summary>
        public bool Fail(string key, string why)
            => TryTake(key, out var pending) && (bool)_trySetException!.Invoke(pending, [new OperationCanceledException($"Work item {key} was abandoned: {why}.")])!;
    }
}
