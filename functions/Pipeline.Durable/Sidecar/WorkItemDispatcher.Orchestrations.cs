using Grpc.Core;
using Microsoft.Extensions.Logging;
using Pipeline.Durable.Store;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Sidecar;

// Orchestration episodes: lease, hand out, complete, abandon.
internal sealed partial class WorkItemDispatcher
{
    private const int LeaseBatch = 64;
    private static readonly TimeSpan ErrorBackoff = TimeSpan.FromSeconds(1);

    private async Task OrchestrationLoopAsync(WorkerStream stream, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var free = stream.FreeOrchestrationSlots;
                if (free <= 0)
                {
                    await stream.OrchestrationSlotFreed.WaitAsync(_options.MaxPollingInterval, ct).ConfigureAwait(false);
                    continue;
                }
                var leases = await _store.LeaseOrchestrationsAsync(Owner, Math.Min(free, LeaseBatch), _options.MaxNewEventsPerEpisode, _options.LeaseDuration, ct)
                    .ConfigureAwait(false);
                if (leases.Count == 0)
                {
                    await _store.WaitForWorkAsync(WorkKind.Orchestration, _options.MaxPollingInterval, ct).ConfigureAwait(false);
                    continue;
                }
                // Concurrently: an episode whose history is not cached waits for a read, and the others need not wait for it.
                await Task.WhenAll(leases.Select(lease => StartEpisodeAsync(stream, lease, ct))).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Handing out orchestration work items on {Stream} failed; retrying in {Delay}.", stream, ErrorBackoff);
                await Task.Delay(ErrorBackoff, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task StartEpisodeAsync(WorkerStream stream, LeasedOrchestration lease, CancellationToken ct)
    {
        try
        {
            var history = await HistoryOfAsync(lease, ct).ConfigureAwait(false);
            if (history is null)
            {
                await ReleaseOrchestrationLeaseAsync(lease, "its history changed while it was being leased", TimeSpan.Zero).ConfigureAwait(false);
                return;
            }
            switch (EpisodePlanner.Plan(lease, history, _options, stream.StreamsHistory))
            {
                case RunOnWorker run:
                    var token = NewToken('o');
                    _episodes[token] = new OutstandingEpisode(token, run.Context, stream);
                    stream.TakeOrchestrationSlot();
                    if (!stream.Outbox.Writer.TryWrite(new P.WorkItem { OrchestratorRequest = run.Context.Request, CompletionToken = token }))
                    {
                        // The stream is ending; its release pass gives the lease back.
                        return;
                    }
                    break;
                case CommitWithoutWorker direct:
                    if (await _store.CommitEpisodeAsync(direct.Commit, CancellationToken.None).ConfigureAwait(false))
                    {
                        Remember(lease, history, direct.Commit);
                        _logger.LogInformation("Orchestration {InstanceId}: committed {What} ({Status}).", lease.InstanceId, direct.What, direct.Commit.Status);
                    }
                    else
                    {
                        _logger.LogWarning("Orchestration {InstanceId}: the {What} was not committed: the lease was lost.", lease.InstanceId, direct.What);
                    }
                    break;
                case DiscardOnly discard:
                    _logger.LogWarning("Orchestration {InstanceId}: dropped {Count} inbox message(s): {Why}.", lease.InstanceId, discard.MessageIds.Count, discard.Why);
                    await _store.DiscardAsync(lease.InstanceId, lease.LeaseToken, discard.MessageIds, CancellationToken.None).ConfigureAwait(false);
                    break;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Orchestration {InstanceId}: preparing its episode failed; releasing it.", lease.InstanceId);
            await ReleaseOrchestrationLeaseAsync(lease, $"preparing the episode failed: {e.Message}", Backoff(lease.Attempts)).ConfigureAwait(false);
        }
    }

    /// <summary>The history the lease is based on: from the cache when it is exactly that, else from the store.</summary>
    private async Task<CachedHistory?> HistoryOfAsync(LeasedOrchestration lease, CancellationToken ct)
    {
        if (lease.HistoryCount == 0) return new CachedHistory([]);
        if (_cache.Get(lease.InstanceId, lease.ExecutionId, lease.HistoryCount) is { } cached) return cached;
        var events = await _store.GetHistoryAsync(lease.InstanceId, lease.ExecutionId, ct).ConfigureAwait(false);
        if (events is null || events.Count != lease.HistoryCount) return null;
        var history = new CachedHistory(events);
        _cache.Set(lease.InstanceId, lease.ExecutionId, history);
        return history;
    }

    /// <summary>Keeps the committed history in the cache for the instance's next episode.</summary>
    private void Remember(LeasedOrchestration lease, CachedHistory before, EpisodeCommit commit)
    {
        if (commit.Status.IsFinished())
        {
            _cache.Forget(lease.InstanceId);
            return;
        }
        if (commit.NewExecutionId is { } execution) _cache.Set(lease.InstanceId, execution, new CachedHistory(commit.History));
        else _cache.Set(lease.InstanceId, lease.ExecutionId, before.Append(commit.History));
    }

    /// <summary>The history a worker's outstanding episode is based on, for StreamInstanceHistory.</summary>
    public IReadOnlyList<P.HistoryEvent>? OutstandingHistory(string instanceId, string? executionId)
    {
        foreach (var episode in _episodes.Values)
        {
            var lease = episode.Context.Lease;
            if (lease.InstanceId == instanceId && (executionId is null || executionId == lease.ExecutionId))
                return episode.Context.History.Events.Take(lease.HistoryCount).ToList();
        }
        return null;
    }

    /// <summary>Applies a worker's completion in one transaction under the episode's lease.</summary>
    /// <exception cref="RpcException">The token is unknown (already completed, released, or from before a restart),
    /// the completion cannot be applied, or the lease was lost.</exception>
    public async Task CompleteOrchestrationAsync(P.OrchestratorResponse response)
    {
        if (!_episodes.TryRemove(response.CompletionToken ?? "", out var episode)) throw UnknownToken(response.CompletionToken);
        episode.Stream.FreeOrchestrationSlot();
        var context = episode.Context;
        if (response.InstanceId != context.InstanceId)
        {
            await ReleaseEpisodeAsync(episode, "the completion named another instance", Backoff(context.Lease.Attempts)).ConfigureAwait(false);
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"The completion token belongs to instance '{context.InstanceId}', not '{response.InstanceId}'."));
        }
        EpisodeCommit commit;
        try
        {
            commit = EpisodeCompletion.Apply(context, response);
        }
        catch (InvalidCompletionException e)
        {
            _logger.LogWarning("Orchestration {InstanceId}: the worker's completion cannot be applied: {Reason}", context.InstanceId, e.Message);
            await ReleaseEpisodeAsync(episode, e.Message, Backoff(context.Lease.Attempts)).ConfigureAwait(false);
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
        bool committed;
        try
        {
            // Not cancellable: once begun, the commit completes or fails as a whole, whatever the caller does.
            committed = await _store.CommitEpisodeAsync(commit, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Orchestration {InstanceId}: committing the episode failed; it will be handed out again.", context.InstanceId);
            await ReleaseEpisodeAsync(episode, $"committing the episode failed: {e.Message}", Backoff(context.Lease.Attempts)).ConfigureAwait(false);
            throw new RpcException(new Status(StatusCode.Aborted, $"The episode of '{context.InstanceId}' could not be committed ({e.Message}); it will be handed out again."));
        }
        if (!committed)
        {
            _logger.LogWarning("Orchestration {InstanceId}: a stale completion was refused: its lease had been lost.", context.InstanceId);
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"The work item of '{context.InstanceId}' lost its lease before it was completed; nothing was changed and the work is handed out again."));
        }
        Remember(context.Lease, context.History, commit);
    }

    /// <summary>Gives an episode back at the worker's request; unknown tokens are ignored (already released).</summary>
    public async Task AbandonOrchestrationAsync(string token)
    {
        if (!_episodes.TryRemove(token ?? "", out var episode)) return;
        episode.Stream.FreeOrchestrationSlot();
        _logger.LogWarning("Orchestration {InstanceId}: the worker abandoned its work item (attempt {Attempt}).", episode.Context.InstanceId, episode.Context.Lease.Attempts);
        await ReleaseEpisodeAsync(episode, "the worker abandoned the work item", Backoff(episode.Context.Lease.Attempts)).ConfigureAwait(false);
    }

    private static RpcException UnknownToken(string? token) => new(new Status(StatusCode.FailedPrecondition,
        $"The completion token '{token}' is not outstanding: the work item was already completed, abandoned, released when its stream ended, " +
        "or handed out before the sidecar restarted. Nothing was changed."));
}
