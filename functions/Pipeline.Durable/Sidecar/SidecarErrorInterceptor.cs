using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Pipeline.Durable.Store;

namespace Pipeline.Durable.Sidecar;

/// <summary>
/// Every RPC waits until the store is ready; failures become statuses a caller can act on: a refused continuation token
/// is InvalidArgument, a store failure is Unavailable (logged with its cause), never an opaque Unknown.
/// </summary>
internal sealed class SidecarErrorInterceptor(SidecarReadiness readiness, ILogger<SidecarErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await readiness.WaitAsync(context.CancellationToken).ConfigureAwait(false);
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, context) is { } translated)
        {
            throw translated;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await readiness.WaitAsync(context.CancellationToken).ConfigureAwait(false);
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, context) is { } translated)
        {
            throw translated;
        }
    }

    private RpcException? Translate(Exception e, ServerCallContext context)
    {
        switch (e)
        {
            case RpcException:
                return null;
            case InvalidContinuationTokenException token:
                return new RpcException(new Status(StatusCode.InvalidArgument, token.Message));
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled."));
            default:
                logger.LogError(e, "{Method} failed.", context.Method);
                return new RpcException(new Status(StatusCode.Unavailable, $"The durable task hub could not complete {context.Method}: {e.Message}"));
        }
    }
}
