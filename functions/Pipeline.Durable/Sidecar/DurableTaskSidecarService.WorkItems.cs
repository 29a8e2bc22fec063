using Grpc.Core;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Sidecar;

// The work-item side, and the entity RPCs this sidecar does not offer.
internal sealed partial class DurableTaskSidecarService
{
    /// <inheritdoc/>
    public override Task GetWorkItems(P.GetWorkItemsRequest request, IServerStreamWriter<P.WorkItem> responseStream, ServerCallContext context)
        => dispatcher.RunStreamAsync(request, responseStream, context.CancellationToken);

    /// <inheritdoc/>
    public override async Task<P.CompleteTaskResponse> CompleteOrchestratorTask(P.OrchestratorResponse request, ServerCallContext context)
    {
        await dispatcher.CompleteOrchestrationAsync(request).ConfigureAwait(false);
        return new P.CompleteTaskResponse();
    }

    /// <inheritdoc/>
    public override async Task<P.CompleteTaskResponse> CompleteActivityTask(P.ActivityResponse request, ServerCallContext context)
    {
        await dispatcher.CompleteActivityAsync(request).ConfigureAwait(false);
        return new P.CompleteTaskResponse();
    }

    /// <inheritdoc/>
    public override async Task<P.AbandonOrchestrationTaskResponse> AbandonTaskOrchestratorWorkItem(P.AbandonOrchestrationTaskRequest request, ServerCallContext context)
    {
        await dispatcher.AbandonOrchestrationAsync(request.CompletionToken).ConfigureAwait(false);
        return new P.AbandonOrchestrationTaskResponse();
    }

    /// <inheritdoc/>
    public override async Task<P.AbandonActivityTaskResponse> AbandonTaskActivityWorkItem(P.AbandonActivityTaskRequest request, ServerCallContext context)
    {
        await dispatcher.AbandonActivityAsync(request.CompletionToken).ConfigureAwait(false);
        return new P.AbandonActivityTaskResponse();
    }

    /// <inheritdoc/>
    public override Task<P.CompleteTaskResponse> CompleteEntityTask(P.EntityBatchResult request, ServerCallContext context) => throw EntitiesNotSupported();

    /// <inheritdoc/>
    public override Task<P.AbandonEntityTaskResponse> AbandonTaskEntityWorkItem(P.AbandonEntityTaskRequest request, ServerCallContext context) => throw EntitiesNotSupported();

    /// <inheritdoc/>
    public override Task<P.SignalEntityResponse> SignalEntity(P.SignalEntityRequest request, ServerCallContext context) => throw EntitiesNotSupported();

    /// <inheritdoc/>
    public override Task<P.GetEntityResponse> GetEntity(P.GetEntityRequest request, ServerCallContext context) => throw EntitiesNotSupported();

    /// <inheritdoc/>
    public override Task<P.QueryEntitiesResponse> QueryEntities(P.QueryEntitiesRequest request, ServerCallContext context) => throw EntitiesNotSupported();

    /// <inheritdoc/>
    public override Task<P.CleanEntityStorageResponse> CleanEntityStorage(P.CleanEntityStorageRequest request, ServerCallContext context) => throw EntitiesNotSupported();

    private static RpcException EntitiesNotSupported() => new(new Status(StatusCode.Unimplemented, EntitiesUnsupported));
}
