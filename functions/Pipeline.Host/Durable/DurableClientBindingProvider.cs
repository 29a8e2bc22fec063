using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Pipeline.Host.Hosting;
using Pipeline.Host.Worker;
using Pipeline.Host.Worker.Rpc;

namespace Pipeline.Host.Durable;

/// <summary>
/// The <c>durableClient</c> input binding: the JSON string Microsoft's extension sends for it
/// (BindingHelper.DurableOrchestrationClientToString), which the worker's DurableTaskClientConverter turns into a
/// <c>DurableTaskClient</c> talking gRPC to <c>rpcBaseUrl</c>, the in-process sidecar on the loopback endpoint.
/// <c>httpBaseUrl</c> is this host's management API (used by <c>CreateCheckStatusResponse</c>);
/// <c>requiredQueryStringParameters</c> is empty: the management routes take the master key, which is never handed
/// out in URLs. <c>grpcHttpClientTimeout</c> is a string holding a JSON TimeSpan, as the worker deserializes it.
/// </summary>
internal sealed class DurableClientBindingProvider(SidecarClient sidecar, DurableHostOptions options, IServer server, RpcEndpoint rpc) : IInputBindingProvider
{
    /// <inheritdoc/>
    public string BindingType => "durableClient";

    /// <inheritdoc/>
    public ValueTask<TypedData> BindAsync(LoadedFunction function, FunctionBinding binding, CancellationToken cancellationToken)
    {
        var payload = new
        {
            taskHubName = binding.GetString("taskHub") ?? options.HubName,
            connectionName = binding.GetString("connectionName") ?? binding.GetString("connection") ?? "",
            rpcBaseUrl = sidecar.RpcBaseUrl,
            requiredQueryStringParameters = "",
            httpBaseUrl = PublicBaseUrl() + "/runtime/webhooks/durabletask",
            maxGrpcMessageSizeInBytes = int.MaxValue,
            grpcHttpClientTimeout = JsonSerializer.Serialize(TimeSpan.FromSeconds(100)),
        };
        return ValueTask.FromResult(new TypedData { String = JsonSerializer.Serialize(payload) });
    }

    private string PublicBaseUrl()
    {
        foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && (!rpc.IsBound || uri.Port != rpc.Port)) return address.TrimEnd('/');
        }
        return "http://127.0.0.1:7071";
    }
}
