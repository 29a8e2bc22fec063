using Grpc.Core;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Sidecar.InProcess;

/// <summary>
/// The sidecar's work-item RPCs (GetWorkItems, CompleteOrchestratorTask, CompleteActivityTask and the two abandons) for
/// a Durable Task worker in the same process — a Functions host's durable bridge. The calls go straight into the
/// service through its error interceptor, as a gRPC call would, but without HTTP/2, Kestrel's pipeline or protobuf
/// encoding: on the durable benchmark these loopback hops were a fifth of the host's CPU (every work item is one
/// streamed message and one unary call). Every other RPC goes over <c>fallback</c> (the loopback gRPC channel).
/// </summary>
/// <remarks>
/// Messages are handed over by reference, not copied: neither side changes a message after handing it over (the
/// sidecar builds each work item and never touches it again; a completion is read, never written, by the sidecar).
/// </remarks>
public sealed class InProcessSidecar
{
    private readonly P.TaskHubSidecarService.TaskHubSidecarServiceBase _service;
    private readonly Grpc.Core.Interceptors.Interceptor _interceptor;

    internal InProcessSidecar(DurableTaskSidecarService service, SidecarErrorInterceptor interceptor)
    {
        _service = service;
        _interceptor = interceptor;
    }

    /// <summary>A client whose work-item RPCs are direct calls and whose other RPCs go through <paramref name="fallback"/>.</summary>
    public P.TaskHubSidecarService.TaskHubSidecarServiceClient CreateClient(CallInvoker fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        return new P.TaskHubSidecarService.TaskHubSidecarServiceClient(new InProcessCallInvoker(_service, _interceptor, fallback, WorkItemMethods));
    }

    /// <summary>The RPCs served in process: the work-item loop of a worker.</summary>
    private static readonly HashSet<string> WorkItemMethods = new(StringComparer.Ordinal)
    {
        "/TaskHubSidecarService/GetWorkItems",
        "/TaskHubSidecarService/CompleteOrchestratorTask",
        "/TaskHubSidecarService/CompleteActivityTask",
        "/TaskHubSidecarService/AbandonTaskOrchestratorWorkItem",
        "/TaskHubSidecarService/AbandonTaskActivityWorkItem",
    };
}
