using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Durable.Store;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Sidecar;

/// <summary>
/// The Durable Task sidecar: <see cref="P.TaskHubSidecarService"/> over a <see cref="IDurableStore"/>. Microsoft's
/// standalone SDK (Microsoft.DurableTask.Worker.Grpc / Client.Grpc) and a Functions host's durable bridge talk to it.
/// Durable entities are not supported: their RPCs answer Unimplemented.
/// </summary>
internal sealed partial class DurableTaskSidecarService(
    IDurableStore store,
    WorkItemDispatcher dispatcher,
    InstanceWaiters waiters,
    IOptions<DurableSidecarOptions> options,
    ILogger<DurableTaskSidecarService> logger) : P.TaskHubSidecarService.TaskHubSidecarServiceBase
{
    /// <summary>How long a wait re-reads the state without a change notification (a safety net for a lost NOTIFY).</summary>
    private static readonly TimeSpan WaitFallback = TimeSpan.FromSeconds(10);

    private const string EntitiesUnsupported = "Durable entities are not supported by this sidecar (Pipeline.Durable): use orchestrations and activities.";

    private DurableSidecarOptions Options => options.Value;

    private DateTime Now => Options.TimeProvider.GetUtcNow().UtcDateTime;

    /// <inheritdoc/>
    public override Task<Empty> Hello(Empty request, ServerCallContext context) => Task.FromResult(new Empty());

    private static P.OrchestrationState ToState(InstanceRecord r)
    {
        var state = new P.OrchestrationState
        {
            InstanceId = r.InstanceId,
            Name = r.Name,
            Version = r.Version,
            OrchestrationStatus = r.Status,
            CreatedTimestamp = Timestamp.FromDateTime(r.CreatedAt),
            LastUpdatedTimestamp = Timestamp.FromDateTime(r.LastUpdatedAt),
            Input = r.Input,
            Output = r.Output,
            CustomStatus = r.CustomStatus,
            FailureDetails = r.Failure,
            ExecutionId = r.ExecutionId,
            ParentInstanceId = r.Parent?.InstanceId,
        };
        if (r.CompletedAt is { } completed) state.CompletedTimestamp = Timestamp.FromDateTime(completed);
        if (r.ScheduledStartAt is { } scheduled) state.ScheduledStartTimestamp = Timestamp.FromDateTime(scheduled);
        return state;
    }

    private static RpcException NotFound(string instanceId) => new(new Status(StatusCode.NotFound, $"No orchestration instance '{instanceId}' exists in this task hub."));

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));

    private static void RequireInstanceId(string? instanceId)
    {
        if (string.IsNullOrEmpty(instanceId)) throw Invalid("An instance id is required.");
    }
}
