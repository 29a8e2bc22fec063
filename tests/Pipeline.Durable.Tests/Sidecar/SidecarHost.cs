namespace Pipeline.Durable.Tests.Sidecar;

using System.Net;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Durable.Sidecar;
using Xunit.Abstractions;

/// <summary>
/// The sidecar as a host runs it: in-process on a loopback Kestrel (h2c, port 0), with Microsoft's standalone SDK
/// worker and client connected over gRPC. Workers can be stopped and started again (a fresh worker replays from history).
/// </summary>
public sealed class SidecarHost : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly WebApplication _app;
    private readonly ITestOutputHelper _output;
    private readonly List<IHost> _workers = [];
    private readonly IHost _clientHost;

    private SidecarHost(WebApplication app, string address, ITestOutputHelper output)
    {
        _app = app;
        _output = output;
        Address = address;
        Channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = 16 * 1024 * 1024 });
        var client = Host.CreateApplicationBuilder();
        client.Logging.ClearProviders().AddProvider(new TestOutputLoggerProvider(output));
        client.Services.AddDurableTaskClient(b => b.UseGrpc(Channel));
        _clientHost = client.Build();
        Client = _clientHost.Services.GetRequiredService<DurableTaskClient>();
    }

    public string Address { get; }

    public GrpcChannel Channel { get; }

    public DurableTaskClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public IDurableSidecarMonitor Monitor => Services.GetRequiredService<IDurableSidecarMonitor>();

    /// <summary>Starts the sidecar on <paramref name="store"/> (fast polling, unless <paramref name="configure"/> says otherwise).</summary>
    public static async Task<SidecarHost> StartAsync(TaskHubStore store, ITestOutputHelper output, Action<DurableSidecarOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddProvider(new TestOutputLoggerProvider(output));
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddDurableSidecar(o =>
        {
            o.Store = store;
            o.MaxPollingInterval = TimeSpan.FromMilliseconds(50);
            configure?.Invoke(o);
        });
        var app = builder.Build();
        app.MapDurableSidecar();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SidecarHost(app, address, output);
    }

    /// <summary>Starts a worker (Microsoft.DurableTask.Worker.Grpc) with the given tasks.</summary>
    public async Task<IHost> StartWorkerAsync(Action<DurableTaskRegistry> tasks, Action<DurableTaskWorkerOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(new TestOutputLoggerProvider(_output));
        builder.Services.AddDurableTaskWorker(b =>
        {
            b.AddTasks(tasks);
            b.UseGrpc(Channel);
            if (configure is not null) b.Configure(configure);
        });
        var worker = builder.Build();
        await worker.StartAsync();
        _workers.Add(worker);
        return worker;
    }

    /// <summary>Stops every worker gracefully.</summary>
    public async Task StopWorkersAsync()
    {
        foreach (var worker in _workers)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await worker.StopAsync(cts.Token);
            worker.Dispose();
        }
        _workers.Clear();
    }

    /// <summary>Waits for the instance to finish, failing the test (with its history) when it does not within the timeout.</summary>
    public async Task<OrchestrationMetadata> WaitForCompletionAsync(string instanceId, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Timeout);
        try
        {
            return await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            var state = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true);
            throw new TimeoutException($"Instance {instanceId} did not finish within {timeout ?? Timeout}: status {state?.RuntimeStatus}, " +
                $"history {await DescribeHistoryAsync(instanceId)}");
        }
    }

    public async Task<string> DescribeHistoryAsync(string instanceId)
    {
        try
        {
            var history = await Client.GetOrchestrationHistoryAsync(instanceId);
            return string.Join(", ", history.Select(e => e.EventType));
        }
        catch (Exception e) when (e is ArgumentException or Grpc.Core.RpcException)
        {
            return $"(unavailable: {e.Message})";
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing with <paramref name="describe"/> after the timeout.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> describe, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Timeout;
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (started.Elapsed > limit) throw new TimeoutException($"Gave up after {limit} waiting for {describe()}.");
            await Task.Delay(20);
        }
    }

    public async Task<OrchestrationMetadata> WaitForStatusAsync(string instanceId, OrchestrationRuntimeStatus status)
    {
        OrchestrationMetadata? last = null;
        await WaitUntilAsync(async () =>
        {
            last = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true);
            return last?.RuntimeStatus == status;
        }, () => $"{instanceId} to be {status} (it is {last?.RuntimeStatus.ToString() ?? "missing"})");
        return last!;
    }

    public async ValueTask DisposeAsync()
    {
        await StopWorkersAsync();
        _clientHost.Dispose();
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
