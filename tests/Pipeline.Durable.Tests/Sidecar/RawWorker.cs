namespace Pipeline.Durable.Tests.Sidecar;

using System.Threading.Channels;
using Grpc.Core;
using Grpc.Net.Client;
using P = Microsoft.DurableTask.Protobuf;

/// <summary>
/// A worker written against the protocol itself (no SDK), for what the SDK never does on purpose: abandoning every work
/// item, sending invalid or stale completions, processing only some events.
/// </summary>
public sealed class RawWorker : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly AsyncServerStreamingCall<P.WorkItem> _call;
    private readonly Channel<P.WorkItem> _items = Channel.CreateUnbounded<P.WorkItem>();
    private readonly Task _reader;

    public RawWorker(GrpcChannel channel, int maxOrchestrations = 10, int maxActivities = 10)
    {
        Client = new P.TaskHubSidecarService.TaskHubSidecarServiceClient(channel);
        _call = Client.GetWorkItems(new P.GetWorkItemsRequest
        {
            MaxConcurrentOrchestrationWorkItems = maxOrchestrations,
            MaxConcurrentActivityWorkItems = maxActivities,
        }, cancellationToken: _stop.Token);
        _reader = Task.Run(ReadAsync);
    }

    public P.TaskHubSidecarService.TaskHubSidecarServiceClient Client { get; }

    private async Task ReadAsync()
    {
        try
        {
            await foreach (var item in _call.ResponseStream.ReadAllAsync(_stop.Token))
            {
                if (item.RequestCase != P.WorkItem.RequestOneofCase.HealthPing) await _items.Writer.WriteAsync(item);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            // Stopped.
        }
        finally
        {
            _items.Writer.TryComplete();
        }
    }

    /// <summary>The next work item (orchestrator or activity), failing the test after <see cref="SidecarHost.Timeout"/>.</summary>
    public async Task<P.WorkItem> NextAsync()
    {
        using var cts = new CancellationTokenSource(SidecarHost.Timeout);
        try
        {
            return await _items.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No work item arrived within {SidecarHost.Timeout}.");
        }
    }

    public async Task<P.OrchestratorRequest> NextOrchestrationAsync()
    {
        var item = await NextAsync();
        Assert.Equal(P.WorkItem.RequestOneofCase.OrchestratorRequest, item.RequestCase);
        LastToken = item.CompletionToken;
        return item.OrchestratorRequest;
    }

    public async Task<P.ActivityRequest> NextActivityAsync()
    {
        var item = await NextAsync();
        Assert.Equal(P.WorkItem.RequestOneofCase.ActivityRequest, item.RequestCase);
        LastToken = item.CompletionToken;
        return item.ActivityRequest;
    }

    /// <summary>The completion token of the last work item taken.</summary>
    public string LastToken { get; private set; } = "";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reader;
        }
        catch (RpcException)
        {
            // The stream was torn down.
        }
        _call.Dispose();
        _stop.Dispose();
    }

    /// <summary>An action that schedules activity <paramref name="name"/> with id <paramref name="id"/>.</summary>
    public static P.OrchestratorAction ScheduleTask(int id, string name, string? input = null)
        => new() { Id = id, ScheduleTask = new P.ScheduleTaskAction { Name = name, Input = input } };

    /// <summary>An action that completes the orchestration.</summary>
    public static P.OrchestratorAction Complete(int id, P.OrchestrationStatus status, string? result = null, P.TaskFailureDetails? failure = null)
        => new() { Id = id, CompleteOrchestration = new P.CompleteOrchestrationAction { OrchestrationStatus = status, Result = result, FailureDetails = failure } };

    public static P.OrchestratorResponse Response(P.OrchestratorRequest request, string token, params P.OrchestratorAction[] actions)
    {
        var response = new P.OrchestratorResponse { InstanceId = request.InstanceId, CompletionToken = token };
        response.Actions.AddRange(actions);
        return response;
    }
}
