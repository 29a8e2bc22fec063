using System.Threading.Channels;
using Pipeline.Durable.Store;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Sidecar;

/// <summary>
/// One GetWorkItems stream: a connected worker with its concurrency limits. Work items go out through one queue
/// (a gRPC stream takes one write at a time); the number outstanding never exceeds what the worker asked for, because
/// Microsoft's worker runs every item it receives at once and relies on the sidecar for its limits.
/// </summary>
internal sealed class WorkerStream
{
    private static long _sequence;
    private int _orchestrations;
    private int _activities;

    public WorkerStream(P.GetWorkItemsRequest request)
    {
        // Zero means "not set": the SDK's own default (100 per core) is what a worker would get elsewhere.
        var fallback = 100 * Environment.ProcessorCount;
        MaxOrchestrations = request.MaxConcurrentOrchestrationWorkItems > 0 ? request.MaxConcurrentOrchestrationWorkItems : fallback;
        MaxActivities = request.MaxConcurrentActivityWorkItems > 0 ? request.MaxConcurrentActivityWorkItems : fallback;
        StreamsHistory = request.Capabilities.Contains(P.WorkerCapability.HistoryStreaming);
        Id = $"stream-{Interlocked.Increment(ref _sequence)}";
    }

    public string Id { get; }

    public int MaxOrchestrations { get; }

    public int MaxActivities { get; }

    /// <summary>The worker announced it can stream history (so large histories need not ride in work items).</summary>
    public bool StreamsHistory { get; }

    public Channel<P.WorkItem> Outbox { get; } = Channel.CreateUnbounded<P.WorkItem>(new() { SingleReader = true });

    public WorkSignal OrchestrationSlotFreed { get; } = new();

    public WorkSignal ActivitySlotFreed { get; } = new();

    public int FreeOrchestrationSlots => MaxOrchestrations - Volatile.Read(ref _orchestrations);

    public int FreeActivitySlots => MaxActivities - Volatile.Read(ref _activities);

    public void TakeOrchestrationSlot() => Interlocked.Increment(ref _orchestrations);

    public void FreeOrchestrationSlot()
    {
        Interlocked.Decrement(ref _orchestrations);
        OrchestrationSlotFreed.Set();
    }

    public void TakeActivitySlot() => Interlocked.Increment(ref _activities);

    public void FreeActivitySlot()
    {
        Interlocked.Decrement(ref _activities);
        ActivitySlotFreed.Set();
    }

    public override string ToString() => Id;
}
