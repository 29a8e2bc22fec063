using Grpc.Core;
using Microsoft.Extensions.Logging;
using Pipeline.Durable.Store;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Sidecar;

// Queries, history, purge and the task hub itself.
internal sealed partial class DurableTaskSidecarService
{
    private const int HistoryChunkEvents = 500;

    /// <inheritdoc/>
    public override async Task<P.QueryInstancesResponse> QueryInstances(P.QueryInstancesRequest request, ServerCallContext context)
    {
        var query = request.Query ?? new P.InstanceQuery();
        var filter = new InstanceFilter
        {
            Statuses = query.RuntimeStatus.ToList(),
            CreatedFrom = query.CreatedTimeFrom?.ToDateTime(),
            CreatedTo = query.CreatedTimeTo?.ToDateTime(),
            InstanceIdPrefix = query.InstanceIdPrefix,
            PageSize = query.MaxInstanceCount > 0 ? query.MaxInstanceCount : 100,
            After = ContinuationTokenCodec.Decode(query.ContinuationToken),
            WithPayloads = query.FetchInputsAndOutputs,
        };
        var page = await store.QueryInstancesAsync(filter, context.CancellationToken).ConfigureAwait(false);
        var response = new P.QueryInstancesResponse();
        response.OrchestrationState.AddRange(page.Instances.Select(ToState));
        if (page.Last is { } last) response.ContinuationToken = ContinuationTokenCodec.Encode(last);
        return response;
    }

    /// <inheritdoc/>
    public override async Task<P.ListInstanceIdsResponse> ListInstanceIds(P.ListInstanceIdsRequest request, ServerCallContext context)
    {
        var filter = new InstanceIdFilter
        {
            Statuses = request.RuntimeStatus.ToList(),
            CompletedFrom = request.CompletedTimeFrom?.ToDateTime(),
            CompletedTo = request.CompletedTimeTo?.ToDateTime(),
            PageSize = request.PageSize > 0 ? request.PageSize : 100,
            After = ContinuationTokenCodec.Decode(request.LastInstanceKey),
        };
        var page = await store.ListInstanceIdsAsync(filter, context.CancellationToken).ConfigureAwait(false);
        var response = new P.ListInstanceIdsResponse();
        response.InstanceIds.AddRange(page.InstanceIds);
        if (page.Last is { } last) response.LastInstanceKey = ContinuationTokenCodec.Encode(last);
        return response;
    }

    /// <inheritdoc/>
    public override async Task StreamInstanceHistory(P.StreamInstanceHistoryRequest request, IServerStreamWriter<P.HistoryChunk> responseStream, ServerCallContext context)
    {
        RequireInstanceId(request.InstanceId);
        // A worker streaming the history of the episode it holds gets exactly the history that episode is based on.
        var history = (request.ForWorkItemProcessing ? dispatcher.OutstandingHistory(request.InstanceId, request.ExecutionId) : null)
            ?? await store.GetHistoryAsync(request.InstanceId, request.ExecutionId, context.CancellationToken).ConfigureAwait(false)
            ?? throw NotFound(request.InstanceId);
        for (var offset = 0; offset < history.Count; offset += HistoryChunkEvents)
        {
            var chunk = new P.HistoryChunk();
            chunk.Events.AddRange(history.Skip(offset).Take(HistoryChunkEvents));
            await responseStream.WriteAsync(chunk, context.CancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override async Task<P.PurgeInstancesResponse> PurgeInstances(P.PurgeInstancesRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        switch (request.RequestCase)
        {
            case P.PurgeInstancesRequest.RequestOneofCase.InstanceId:
            {
                var outcome = await store.PurgeInstanceAsync(request.InstanceId, request.Recursive, ct).ConfigureAwait(false);
                if (outcome.NotFinished)
                {
                    throw new RpcException(new Status(StatusCode.FailedPrecondition,
                        $"The orchestration '{request.InstanceId}' has not finished; terminate it (or wait for it) before purging it."));
                }
                return new P.PurgeInstancesResponse { DeletedInstanceCount = outcome.Deleted, IsComplete = true };
            }
            case P.PurgeInstancesRequest.RequestOneofCase.PurgeInstanceFilter:
            {
                var filter = request.PurgeInstanceFilter;
                // A real duration: the deadline is measured on the system clock whatever clock the task hub runs on.
                DateTimeOffset? deadline = filter.Timeout is { } timeout ? DateTimeOffset.UtcNow + timeout.ToTimeSpan() : null;
                var outcome = await store.PurgeInstancesAsync(new PurgeFilter
                {
                    CreatedFrom = filter.CreatedTimeFrom?.ToDateTime(),
                    CreatedTo = filter.CreatedTimeTo?.ToDateTime(),
                    Statuses = filter.RuntimeStatus.ToList(),
                }, request.Recursive, deadline, ct).ConfigureAwait(false);
                logger.LogInformation("Purged {Count} instance(s) by filter (complete: {Complete}).", outcome.Deleted, outcome.Complete);
                return new P.PurgeInstancesResponse { DeletedInstanceCount = outcome.Deleted, IsComplete = outcome.Complete };
            }
            case P.PurgeInstancesRequest.RequestOneofCase.InstanceBatch:
            {
                var ids = request.InstanceBatch.InstanceIds;
                if (ids.Count > 500) throw Invalid("At most 500 instances can be purged in one batch.");
                var deleted = 0;
                foreach (var id in ids) deleted += (await store.PurgeInstanceAsync(id, request.Recursive, ct).ConfigureAwait(false)).Deleted;
                return new P.PurgeInstancesResponse { DeletedInstanceCount = deleted, IsComplete = true };
            }
            default:
                throw Invalid("Name an instance id, a filter or a batch of instance ids to purge.");
        }
    }

    /// <inheritdoc/>
    public override async Task<P.CreateTaskHubResponse> CreateTaskHub(P.CreateTaskHubRequest request, ServerCallContext context)
    {
        // The schema is created (and migrated) when the sidecar starts; "recreate" empties the task hub.
        if (request.RecreateIfExists)
        {
            await store.DeleteAllAsync(context.CancellationToken).ConfigureAwait(false);
            logger.LogWarning("The task hub was emptied (CreateTaskHub with recreateIfExists).");
        }
        return new P.CreateTaskHubResponse();
    }

    /// <inheritdoc/>
    public override async Task<P.DeleteTaskHubResponse> DeleteTaskHub(P.DeleteTaskHubRequest request, ServerCallContext context)
    {
        // Every instance, history, message and activity goes; the (empty) schema stays so the sidecar keeps working.
        await store.DeleteAllAsync(context.CancellationToken).ConfigureAwait(false);
        logger.LogWarning("The task hub was deleted (DeleteTaskHub): every instance and its history are gone.");
        return new P.DeleteTaskHubResponse();
    }
}
