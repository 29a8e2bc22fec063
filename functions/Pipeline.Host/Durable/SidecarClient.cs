using Grpc.Net.Client;
using Pipeline.Durable.Sidecar.InProcess;
using Pipeline.Host.Hosting;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Host.Durable;

/// <summary>
/// The host's own gRPC client of the in-process sidecar, over the loopback endpoint: the bridge takes work items
/// through it and the management API reads and signals instances through it, whichever sidecar serves the task hub
/// (ours, or TaskHubGrpcServer over Azure Storage). Created on first use, once the server listens.
/// </summary>
public sealed class SidecarClient : IDisposable
{
    private readonly RpcEndpoint _rpc;
    private readonly Lazy<GrpcChannel> _channel;
    private readonly Lazy<P.TaskHubSidecarService.TaskHubSidecarServiceClient> _workItems;

    /// <summary>Creates the client (the channel is opened on first use). <paramref name="inProcess"/> is our sidecar's
    /// direct path, when it is the one serving (not with Azure Storage).</summary>
    public SidecarClient(RpcEndpoint rpc, InProcessSidecar? inProcess = null)
    {
        _rpc = rpc;
        _channel = new Lazy<GrpcChannel>(() => GrpcChannel.ForAddress(_rpc.Address, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                KeepAlivePingDelay = TimeSpan.FromSeconds(60),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
            },
        }), LazyThreadSafetyMode.ExecutionAndPublication);
        _workItems = new(() => inProcess is null ? Client : inProcess.CreateClient(_channel.Value.CreateCallInvoker()), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The sidecar's address for other clients (the worker's <c>DurableTaskClient</c>): <c>http://127.0.0.1:port</c>.</summary>
    public string RpcBaseUrl => _rpc.Address.AbsoluteUri.TrimEnd('/');

    /// <summary>The gRPC client (TaskHubSidecarService).</summary>
    public P.TaskHubSidecarService.TaskHubSidecarServiceClient Client => new(_channel.Value);

    /// <summary>
    /// The client for the work-item loop (GetWorkItems, Complete…, Abandon…): direct calls into our sidecar in this
    /// process (no HTTP/2 or protobuf encoding per work item), else the gRPC <see cref="Client"/>.
    /// </summary>
    public P.TaskHubSidecarService.TaskHubSidecarServiceClient WorkItems => _workItems.Value;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_channel.IsValueCreated) _channel.Value.Dispose();
    }
}
