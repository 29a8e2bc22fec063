using Grpc.Core;
using Grpc.Core.Interceptors;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Sidecar.InProcess;

/// <summary>
/// A <see cref="CallInvoker"/> that runs the chosen unary and server-streaming methods of a service in this process
/// (handlers taken from the generated <c>BindService</c>, wrapped in the service's interceptor) and passes every other
/// call to <c>fallback</c>. What a caller sees matches a gRPC call: failures are <see cref="RpcException"/>s (the
/// interceptor translates the service's own), cancelling or disposing a call cancels the server side's token.
/// </summary>
internal sealed class InProcessCallInvoker : CallInvoker
{
    private readonly Dictionary<string, Delegate> _handlers = new(StringComparer.Ordinal);
    private readonly Interceptor _interceptor;
    private readonly CallInvoker _fallback;

    public InProcessCallInvoker(P.TaskHubSidecarService.TaskHubSidecarServiceBase service, Interceptor interceptor, CallInvoker fallback, IReadOnlySet<string> methods)
    {
        _interceptor = interceptor;
        _fallback = fallback;
        P.TaskHubSidecarService.BindService(new Binder(_handlers, methods), service);
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        => _handlers.ContainsKey(method.FullName)
            ? AsyncUnaryCall(method, host, options, request).ResponseAsync.GetAwaiter().GetResult()
            : _fallback.BlockingUnaryCall(method, host, options, request);

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        if (!_handlers.TryGetValue(method.FullName, out var handler)) return _fallback.AsyncUnaryCall(method, host, options, request);
        var context = new InProcessServerCallContext(method.FullName, options);
        var response = RunUnaryAsync(request, context, (UnaryServerMethod<TRequest, TResponse>)handler);
        return new AsyncUnaryCall<TResponse>(response, Task.FromResult(new Metadata()), () => context.Outcome(response), () => context.ResponseTrailers, context.Dispose);
    }

    private async Task<TResponse> RunUnaryAsync<TRequest, TResponse>(TRequest request, InProcessServerCallContext context, UnaryServerMethod<TRequest, TResponse> handler)
        where TRequest : class where TResponse : class
    {
        try
        {
            // Yield first: the caller gets its call object back at once, as with a network call, and the handler's
            // synchronous part does not run on (and hold) the caller's stack.
            await Task.Yield();
            return await _interceptor.UnaryServerHandler(request, context, handler).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw context.ToRpcException(e);
        }
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options,
        TRequest request)
    {
        if (!_handlers.TryGetValue(method.FullName, out var handler)) return _fallback.AsyncServerStreamingCall(method, host, options, request);
        var context = new InProcessServerCallContext(method.FullName, options);
        var stream = new InProcessResponseStream<TResponse>(context);
        var run = RunStreamingAsync(request, stream, context, (ServerStreamingServerMethod<TRequest, TResponse>)handler);
        return new AsyncServerStreamingCall<TResponse>(stream, Task.FromResult(new Metadata()), () => context.Outcome(run), () => context.ResponseTrailers, context.Dispose);
    }

    private async Task RunStreamingAsync<TRequest, TResponse>(TRequest request, InProcessResponseStream<TResponse> stream, InProcessServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class where TResponse : class
    {
        try
        {
            await Task.Yield();
            await _interceptor.ServerStreamingServerHandler(request, stream, context, handler).ConfigureAwait(false);
            stream.Complete(null);
        }
        catch (Exception e)
        {
            stream.Complete(e as RpcException ?? context.ToRpcException(e));
        }
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
        => _fallback.AsyncClientStreamingCall(method, host, options);

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
        => _fallback.AsyncDuplexStreamingCall(method, host, options);

    /// <summary>Collects the handlers of the chosen methods from the generated BindService.</summary>
    private sealed class Binder(Dictionary<string, Delegate> handlers, IReadOnlySet<string> methods) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            if (handler is not null && methods.Contains(method.FullName)) handlers[method.FullName] = handler;
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        {
            if (handler is not null && methods.Contains(method.FullName)) handlers[method.FullName] = handler;
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        {
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        {
        }
    }
}
