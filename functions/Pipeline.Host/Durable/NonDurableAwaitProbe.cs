using System.Collections.Concurrent;
using Grpc.Core;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Host.Durable;

/// <summary>
/// Wakes orchestrations that may be stuck on a task that is not durable. Microsoft.DurableTask ends an episode with
/// no actions when the orchestrator awaits, say, <c>Task.Delay</c> or an HTTP call; nothing durable will ever wake it,
/// and it stays Running for good. After an episode that leaves an orchestration idle with nothing durable outstanding
/// (see <see cref="OrchestrationHistory.IsIdleWithNothingOutstanding"/>), and no newer episode within
/// <see cref="DurableHostOptions.NonDurableAwaitProbeDelay"/>, the host raises the event <see cref="EventName"/> once.
/// Its episode carries the trigger metadata <see cref="TriggerMetadataKey"/> = <c>true</c>, so a guard in the app's
/// worker (a function middleware) can tell an orchestrator that waits for an external event (fine: the probe is
/// buffered as an unknown event and changes nothing) from one that awaits a non-durable task (the guard fails it with
/// a message saying so). A probe episode that leaves the orchestration idle again schedules no further probe.
/// </summary>
public sealed class NonDurableAwaitProbe : IDisposable
{
    /// <summary>The external event the host raises.</summary>
    public const string EventName = "pipeline.nonDurableAwaitProbe";

    /// <summary>Trigger metadata set on the orchestrator invocation that delivers the probe.</summary>
    public const string TriggerMetadataKey = "pipelineNonDurableAwaitProbe";

    private readonly SidecarClient _sidecar;
    private readonly TimeSpan _delay;
    private readonly TimeProvider _time;
    private readonly ILogger<NonDurableAwaitProbe> _logger;
    private readonly ConcurrentDictionary<string, long> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private long _sequence;

    /// <summary>Creates the probe.</summary>
    public NonDurableAwaitProbe(SidecarClient sidecar, DurableHostOptions options, ILogger<NonDurableAwaitProbe> logger)
    {
        _sidecar = sidecar;
        _delay = options.NonDurableAwaitProbeDelay;
        _time = TimeProvider.System; // a wall-clock wait: a moved test clock must not make it fire early
        _logger = logger;
    }

    /// <summary>How many probes were raised since start.</summary>
    public int Raised => (int)Interlocked.Read(ref _raised);

    private long _raised;

    /// <summary>True when the episode delivers a probe.</summary>
    public bool IsProbe(P.OrchestratorRequest request)
        => request.NewEvents.Any(e => e.EventTypeCase == P.HistoryEvent.EventTypeOneofCase.EventRaised && e.EventRaised.Name == EventName);

    /// <summary>Looks at a completed episode and schedules a probe when the orchestration may be stuck.</summary>
    public void Observe(P.OrchestratorRequest request, P.OrchestratorResponse response)
    {
        if (_delay <= TimeSpan.Zero) return;
        var ticket = Interlocked.Increment(ref _sequence);
        if (IsProbe(request) || !OrchestrationHistory.IsIdleWithNothingOutstanding(request, response))
        {
            _pending.TryRemove(request.InstanceId, out _);
            return;
        }
        _pending[request.InstanceId] = ticket;
        _ = RaiseLaterAsync(request.InstanceId, ticket);
    }

    private async Task RaiseLaterAsync(string instanceId, long ticket)
    {
        try
        {
            await Task.Delay(_delay, _time, _stopping.Token).ConfigureAwait(false);
            // A newer episode (an event arrived, the instance moved on) supersedes this probe.
            if (!_pending.TryGetValue(instanceId, out var current) || current != ticket || !_pending.TryRemove(new KeyValuePair<string, long>(instanceId, ticket))) return;
            await _sidecar.Client.RaiseEventAsync(new P.RaiseEventRequest { InstanceId = instanceId, Name = EventName }).ConfigureAwait(false);
            Interlocked.Increment(ref _raised);
            _logger.LogDebug("Orchestration {InstanceId} is idle with nothing durable outstanding; raised {Event}", instanceId, EventName);
        }
        catch (OperationCanceledException)
        {
        }
        catch (RpcException e)
        {
            // Finished or purged meanwhile.
            _logger.LogDebug("Probe of {InstanceId} not raised: {Message}", instanceId, e.Status.Detail);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }
}
