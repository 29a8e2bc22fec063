using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Pipeline.Durable.Store;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Sidecar;

/// <summary>
/// The work-item side of the sidecar: leases work from the store, hands it to workers over their GetWorkItems streams,
/// renews the leases of outstanding items, applies completions (each orchestrator completion in one transaction under
/// its lease) and gives back what a worker abandons or leaves behind when its stream ends.
/// </summary>
internal sealed partial class WorkItemDispatcher : IAsyncDisposable
{
    private readonly IDurableStore _store;
    private readonly DurableSidecarOptions _options;
    private readonly HistoryCache _cache;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, OutstandingEpisode> _episodes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, OutstandingActivity> _activities = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly string _tokenPrefix = Guid.NewGuid().ToString("N")[..8];
    private Task? _renewal;
    private long _tokens;
    private int _disposed;

    public WorkItemDispatcher(IDurableStore store, DurableSidecarOptions options, ILogger<WorkItemDispatcher> logger)
    {
        _store = store;
        _options = options;
        _cache = new HistoryCache(options.HistoryCacheSize);
        _logger = logger;
    }

    /// <summary>Names this sidecar's leases in the store.</summary>
    public string Owner { get; } = LeaseTokens.NewOwner();

    /// <summary>Work items handed out and not completed, abandoned or released.</summary>
    public int OutstandingCount => _episodes.Count + _activities.Count;

    /// <summary>Starts renewing leases.</summary>
    public void Start() => _renewal ??= Task.Run(RenewLeasesAsync);

    /// <summary>
    /// Serves one GetWorkItems stream until the worker goes (or the sidecar stops); then everything still outstanding
    /// on it is released at once, so another worker can take it without waiting for the lease to lapse.
    /// </summary>
    public async Task RunStreamAsync(P.GetWorkItemsRequest request, IServerStreamWriter<P.WorkItem> writer, CancellationToken ct)
    {
        var stream = new WorkerStream(request);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(ct, _stopping.Token);
        _logger.LogInformation("Worker connected ({Stream}): up to {Orchestrations} orchestration and {Activities} activity work items at once.",
            stream, stream.MaxOrchestrations, stream.MaxActivities);
        Task[] loops = [WriteAsync(stream, writer, ended.Token), OrchestrationLoopAsync(stream, ended.Token), ActivityLoopAsync(stream, ended.Token)];
        try
        {
            await Task.WhenAny(loops).ConfigureAwait(false);
        }
        finally
        {
            await ended.CancelAsync().ConfigureAwait(false);
            foreach (var loop in loops)
            {
                try
                {
                    await loop.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The stream ended.
                }
                catch (Exception e) when (e is IOException or InvalidOperationException or RpcException)
                {
                    _logger.LogDebug(e, "Work-item stream {Stream} ended with an error.", stream);
                }
            }
            stream.Outbox.Writer.TryComplete();
            await ReleaseAsync(stream, "the worker's work-item stream ended before it completed the work item").ConfigureAwait(false);
            _logger.LogInformation("Worker disconnected ({Stream}).", stream);
        }
    }

    /// <summary>Writes queued work items; an idle stream gets a HealthPing so the worker does not take it for dead.</summary>
    private async Task WriteAsync(WorkerStream stream, IServerStreamWriter<P.WorkItem> writer, CancellationToken ct)
    {
        var reader = stream.Outbox.Reader;
        Task<bool>? waiting = null;
        while (!ct.IsCancellationRequested)
        {
            waiting ??= reader.WaitToReadAsync(ct).AsTask();
            var first = await Task.WhenAny(waiting, Task.Delay(_options.HealthPingInterval, ct)).ConfigureAwait(false);
            if (first != waiting)
            {
                ct.ThrowIfCancellationRequested();
                await writer.WriteAsync(new P.WorkItem { HealthPing = new P.HealthPing() }, ct).ConfigureAwait(false);
                continue;
            }
            if (!await waiting.ConfigureAwait(false)) return;
            waiting = null;
            while (reader.TryRead(out var item)) await writer.WriteAsync(item, ct).ConfigureAwait(false);
        }
    }

    private string NewToken(char kind) => $"{kind}:{_tokenPrefix}:{Interlocked.Increment(ref _tokens):x}";

    /// <summary>How long a released work item waits before it is handed out again: longer after each failed attempt.</summary>
    private static TimeSpan Backoff(int attempts) => TimeSpan.FromMilliseconds(Math.Min(100 * Math.Pow(2, Math.Max(0, attempts - 1)), 10_000));

    private async Task ReleaseAsync(WorkerStream stream, string reason)
    {
        foreach (var (token, episode) in _episodes)
        {
            if (episode.Stream == stream && _episodes.TryRemove(token, out _)) await ReleaseEpisodeAsync(episode, reason, TimeSpan.Zero).ConfigureAwait(false);
        }
        foreach (var (token, activity) in _activities)
        {
            if (activity.Stream == stream && _activities.TryRemove(token, out _)) await ReleaseActivityAsync(activity, reason, TimeSpan.Zero).ConfigureAwait(false);
        }
    }

    private Task ReleaseEpisodeAsync(OutstandingEpisode episode, string reason, TimeSpan delay)
        => ReleaseOrchestrationLeaseAsync(episode.Context.Lease, reason, delay);

    private async Task ReleaseOrchestrationLeaseAsync(LeasedOrchestration lease, string reason, TimeSpan delay)
    {
        try
        {
            await _store.ReleaseOrchestrationAsync(lease.InstanceId, lease.LeaseToken, reason, delay, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The lease lapses by itself; until then the instance waits.
            _logger.LogError(e, "Could not release orchestration {InstanceId} ({Reason}); it is handed out again when its lease expires.", lease.InstanceId, reason);
        }
    }

    private async Task ReleaseActivityAsync(OutstandingActivity activity, string reason, TimeSpan delay)
    {
        try
        {
            await _store.ReleaseActivityAsync(activity.Lease.Id, activity.Lease.LeaseToken, reason, delay, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Could not release activity {Name} #{TaskId} of {InstanceId} ({Reason}); it is handed out again when its lease expires.",
                activity.Lease.Request.Name, activity.Lease.TaskId, activity.Lease.InstanceId, reason);
        }
    }

    /// <summary>Renews the leases of every outstanding work item, three times per lease duration.</summary>
    private async Task RenewLeasesAsync()
    {
        var interval = _options.LeaseDuration / 3;
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, _stopping.Token).ConfigureAwait(false);
                var episodes = _episodes.Values.Select(e => e.Context.Lease.LeaseToken).ToList();
                var activities = _activities.Values.Select(a => a.Lease.LeaseToken).ToList();
                await _store.RenewLeasesAsync(episodes, activities, _options.LeaseDuration, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Renewing the leases of {Count} outstanding work item(s) failed; retrying.", OutstandingCount);
            }
        }
    }

    /// <summary>Stops every stream and releases what is outstanding, so other hosts can take it at once.</summary>
    public async ValueTask DisposeAsync()
    {
        // Called by the hosted service at stop and by the container at disposal: only the first does the work.
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_renewal is not null)
        {
            try
            {
                await _renewal.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }
        foreach (var (token, episode) in _episodes)
        {
            if (_episodes.TryRemove(token, out _)) await ReleaseEpisodeAsync(episode, "the sidecar stopped", TimeSpan.Zero).ConfigureAwait(false);
        }
        foreach (var (token, activity) in _activities)
        {
            if (_activities.TryRemove(token, out _)) await ReleaseActivityAsync(activity, "the sidecar stopped", TimeSpan.Zero).ConfigureAwait(false);
        }
        _stopping.Dispose();
    }
}
