using Grpc.Core;
using Microsoft.Extensions.Logging;
using Pipeline.Durable.Store;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Sidecar;

// Activities: lease, hand out, record results exactly once, abandon, poison.
internal sealed partial class WorkItemDispatcher
{
    private const int ActivityLeaseBatch = 128;

    private async Task ActivityLoopAsync(WorkerStream stream, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var free = stream.FreeActivitySlots;
                if (free <= 0)
                {
                    await stream.ActivitySlotFreed.WaitAsync(_options.MaxPollingInterval, ct).ConfigureAwait(false);
                    continue;
                }
                var leases = await _store.LeaseActivitiesAsync(Owner, Math.Min(free, ActivityLeaseBatch), _options.LeaseDuration, ct).ConfigureAwait(false);
                if (leases.Count == 0)
                {
                    await _store.WaitForWorkAsync(WorkKind.Activity, _options.MaxPollingInterval, ct).ConfigureAwait(false);
                    continue;
                }
                foreach (var lease in leases) await StartActivityAsync(stream, lease).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Handing out activity work items on {Stream} failed; retrying in {Delay}.", stream, ErrorBackoff);
                await Task.Delay(ErrorBackoff, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task StartActivityAsync(WorkerStream stream, LeasedActivity lease)
    {
        if (lease.Attempts > _options.MaxAttempts)
        {
            // The sidecar never retries an activity by itself beyond this: it records the failure, and the orchestration
            // decides (a TaskOptions retry policy, or the failure propagates).
            var failure = HistoryEvents.Failure("Pipeline.Durable.PoisonWorkItem",
                $"The activity '{lease.Request.Name}' was handed out {_options.MaxAttempts} times without a result; the last time: {lease.LastError ?? "no reason was recorded"}");
            var recorded = await _store.CompleteActivityAsync(new ActivityResult(lease.Id, lease.LeaseToken, lease.InstanceId, lease.ExecutionId,
                HistoryEvents.TaskFailed(_options.TimeProvider.GetUtcNow().UtcDateTime, lease.TaskId, failure)), CancellationToken.None).ConfigureAwait(false);
            _logger.LogWarning("Activity {Name} #{TaskId} of {InstanceId} failed as poisoned after {Attempts} attempts (recorded: {Recorded}): {LastError}",
                lease.Request.Name, lease.TaskId, lease.InstanceId, _options.MaxAttempts, recorded, lease.LastError);
            return;
        }
        var token = NewToken('a');
        _activities[token] = new OutstandingActivity(token, lease, stream);
        stream.TakeActivitySlot();
        stream.Outbox.Writer.TryWrite(new P.WorkItem { ActivityRequest = lease.Request, CompletionToken = token });
    }

    /// <summary>Records an activity's result exactly once: only while its lease is held.</summary>
    /// <exception cref="RpcException">The token is unknown, or the lease was lost (the activity runs again elsewhere).</exception>
    public async Task CompleteActivityAsync(P.ActivityResponse response)
    {
        if (!_activities.TryRemove(response.CompletionToken ?? "", out var activity)) throw UnknownToken(response.CompletionToken);
        activity.Stream.FreeActivitySlot();
        var lease = activity.Lease;
        if (response.InstanceId != lease.InstanceId || response.TaskId != lease.TaskId)
        {
            await ReleaseActivityAsync(activity, "the result named another activity", Backoff(lease.Attempts)).ConfigureAwait(false);
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"The completion token belongs to activity #{lease.TaskId} of '{lease.InstanceId}', not #{response.TaskId} of '{response.InstanceId}'."));
        }
        var now = _options.TimeProvider.GetUtcNow().UtcDateTime;
        var result = response.FailureDetails is { } failure
            ? HistoryEvents.TaskFailed(now, lease.TaskId, failure)
            : HistoryEvents.TaskCompleted(now, lease.TaskId, response.Result);
        bool recorded;
        try
        {
            recorded = await _store.CompleteActivityAsync(new ActivityResult(lease.Id, lease.LeaseToken, lease.InstanceId, lease.ExecutionId, result), CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Activity {Name} #{TaskId} of {InstanceId}: recording its result failed; it will run again.", lease.Request.Name, lease.TaskId, lease.InstanceId);
            await ReleaseActivityAsync(activity, $"recording the result failed: {e.Message}", Backoff(lease.Attempts)).ConfigureAwait(false);
            throw new RpcException(new Status(StatusCode.Aborted, $"The result of activity #{lease.TaskId} of '{lease.InstanceId}' could not be recorded ({e.Message}); it will run again."));
        }
        if (!recorded)
        {
            _logger.LogWarning("Activity {Name} #{TaskId} of {InstanceId}: a late result was refused: its lease had been lost.", lease.Request.Name, lease.TaskId, lease.InstanceId);
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"Activity #{lease.TaskId} of '{lease.InstanceId}' lost its lease before its result arrived; the result was not recorded (another run records its own)."));
        }
    }

    /// <summary>Gives an activity back at the worker's request; unknown tokens are ignored (already released).</summary>
    public async Task AbandonActivityAsync(string token)
    {
        if (!_activities.TryRemove(token ?? "", out var activity)) return;
        activity.Stream.FreeActivitySlot();
        _logger.LogWarning("Activity {Name} #{TaskId} of {InstanceId}: the worker abandoned it (attempt {Attempt}).",
            activity.Lease.Request.Name, activity.Lease.TaskId, activity.Lease.InstanceId, activity.Lease.Attempts);
        await ReleaseActivityAsync(activity, "the worker abandoned the work item", Backoff(activity.Lease.Attempts)).ConfigureAwait(false);
    }
}
