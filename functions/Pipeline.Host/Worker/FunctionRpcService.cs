using Grpc.Core;
using Pipeline.Host.Worker.Rpc;

namespace Pipeline.Host.Worker;

/// <summary>
/// The gRPC service workers dial (<c>AzureFunctionsRpcMessages.FunctionRpc/EventStream</c>), on the host's loopback
/// h2c endpoint only. The first message must be StartStream with the id of a worker this host started.
/// </summary>
internal sealed class FunctionRpcService(WorkerChannelRegistry registry, ILogger<FunctionRpcService> logger) : FunctionRpc.FunctionRpcBase
{
    /// <inheritdoc/>
    public override async Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false)) return;
        var first = requestStream.Current;
        if (first.ContentCase != StreamingMessage.ContentOneofCase.StartStream)
            throw new Grpc.Core.RpcException(new Status(StatusCode.InvalidArgument, "The first message must be StartStream."));
        if (!registry.TryTake(first.StartStream.WorkerId, out var channel))
        {
            logger.LogWarning("Refused a FunctionRpc stream from {Peer}: worker id {WorkerId} was not started by this host or is already connected", context.Peer, first.StartStream.WorkerId);
            throw new Grpc.Core.RpcException(new Status(StatusCode.PermissionDenied, "Unknown worker id."));
        }
        logger.LogDebug("Worker {WorkerId} connected", channel.WorkerId);
        await channel.RunAsync(requestStream, responseStream, context.CancellationToken).ConfigureAwait(false);
    }
}
