using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Pipeline.Durable.Store;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Sidecar;

// Starting, reading, waiting for and controlling instances.
internal sealed partial class DurableTaskSidecarService
{
    /// <inheritdoc/>
    public override async Task<P.CreateInstanceResponse> StartInstance(P.CreateInstanceRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.Name)) throw Invalid("An orchestration name is required.");
        var instanceId = string.IsNullOrEmpty(request.InstanceId) ? Guid.NewGuid().ToString("N") : request.InstanceId;
        var executionId = string.IsNullOrEmpty(request.ExecutionId) ? Guid.NewGuid().ToString("N") : request.ExecutionId;
        var started = new P.ExecutionStartedEvent
        {
            Name = request.Name,
            Version = request.Version,
            Input = request.Input,
            OrchestrationInstance = new P.OrchestrationInstance { InstanceId = instanceId, ExecutionId = executionId },
            ScheduledStartTimestamp = request.ScheduledStartTimestamp,
            ParentTraceContext = request.ParentTraceContext,
        };
        started.Tags.Add(request.Tags);
        var instance = new NewInstance(instanceId, executionId, request.Name, request.Version, request.Input, null,
            request.ScheduledStartTimestamp?.ToDateTime(), new P.HistoryEvent { EventId = -1, Timestamp = Timestamp.FromDateTime(Now), ExecutionStarted = started });
        // Without a reuse policy, a finished instance's id may be reused (its history is replaced); a live one's may not.
        var replaceable = request.OrchestrationIdReusePolicy is { } policy ? policy.ReplaceableStatus.ToList() : InstanceStatus.Finished;
        var outcome = await store.CreateInstanceAsync(instance, replaceable, context.CancellationToken).ConfigureAwait(false);
        if (!outcome.Created)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists,
                $"An orchestration with instance id '{instanceId}' already exists (status {outcome.ExistingStatus}) and may not be replaced."));
        }
        logger.LogDebug("Scheduled orchestration {Name} as {InstanceId}.", request.Name, instanceId);
        return new P.CreateInstanceResponse { InstanceId = instanceId };
    }

    /// <inheritdoc/>
    public override async Task<P.GetInstanceResponse> GetInstance(P.GetInstanceRequest request, ServerCallContext context)
    {
        RequireInstanceId(request.InstanceId);
        var record = await store.GetInstanceAsync(request.InstanceId, request.GetInputsAndOutputs, context.CancellationToken).ConfigureAwait(false);
        return record is null ? new P.GetInstanceResponse { Exists = false } : new P.GetInstanceResponse { Exists = true, OrchestrationState = ToState(record) };
    }

    /// <inheritdoc/>
    public override Task<P.GetInstanceResponse> WaitForInstanceStart(P.GetInstanceRequest request, ServerCallContext context)
        => WaitAsync(request, r => r is not null && r.Status != P.OrchestrationStatus.Pending, context.CancellationToken);

    /// <inheritdoc/>
    public override async Task<P.GetInstanceResponse> WaitForInstanceCompletion(P.GetInstanceRequest request, ServerCallContext context)
    {
        var response = await WaitAsync(request, r => r is null || r.Status.IsFinished(), context.CancellationToken).ConfigureAwait(false);
        return response.Exists ? response : throw NotFound(request.InstanceId);
    }

    /// <summary>Returns the state once <paramref name="done"/> holds; woken by change notifications, not by polling.</summary>
    private async Task<P.GetInstanceResponse> WaitAsync(P.GetInstanceRequest request, Func<InstanceRecord?, bool> done, CancellationToken ct)
    {
        RequireInstanceId(request.InstanceId);
        while (true)
        {
            using var subscription = waiters.Subscribe(request.InstanceId);
            var record = await store.GetInstanceAsync(request.InstanceId, request.GetInputsAndOutputs, ct).ConfigureAwait(false);
            if (done(record))
                return record is null ? new P.GetInstanceResponse { Exists = false } : new P.GetInstanceResponse { Exists = true, OrchestrationState = ToState(record) };
            try
            {
                await subscription.Changed.WaitAsync(WaitFallback, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // No notification: read again anyway (a notification from another host may have been lost).
            }
        }
    }

    /// <inheritdoc/>
    public override async Task<P.RaiseEventResponse> RaiseEvent(P.RaiseEventRequest request, ServerCallContext context)
    {
        RequireInstanceId(request.InstanceId);
        if (string.IsNullOrEmpty(request.Name)) throw Invalid("An event name is required.");
        // Kept in the inbox until delivered: an event raised before the instance starts, or while it is not waiting,
        // is delivered all the same (the SDK buffers it until the orchestration waits for it).
        var outcome = await store.SendAsync(request.InstanceId, HistoryEvents.EventRaised(Now, request.Name, request.Input), false, context.CancellationToken)
            .ConfigureAwait(false);
        return outcome switch
        {
            SendOutcome.Sent => new P.RaiseEventResponse(),
            SendOutcome.NotFound => throw NotFound(request.InstanceId),
            _ => throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"The orchestration '{request.InstanceId}' has finished; the event '{request.Name}' was not delivered.")),
        };
    }

    /// <inheritdoc/>
    public override async Task<P.TerminateResponse> TerminateInstance(P.TerminateRequest request, ServerCallContext context)
    {
        RequireInstanceId(request.InstanceId);
        var outcome = await store.SendAsync(request.InstanceId, HistoryEvents.ExecutionTerminated(Now, request.Output, request.Recursive), false, context.CancellationToken)
            .ConfigureAwait(false);
        // Terminating an instance that has already finished changes nothing, and is not an error.
        return outcome == SendOutcome.NotFound ? throw NotFound(request.InstanceId) : new P.TerminateResponse();
    }

    /// <inheritdoc/>
    public override async Task<P.SuspendResponse> SuspendInstance(P.SuspendRequest request, ServerCallContext context)
    {
        var current = await RequireLiveAsync(request.InstanceId, "suspended", context.CancellationToken).ConfigureAwait(false);
        if (current.Status == P.OrchestrationStatus.Suspended) return new P.SuspendResponse();
        var suspended = new P.HistoryEvent { EventId = -1, Timestamp = Timestamp.FromDateTime(Now), ExecutionSuspended = new P.ExecutionSuspendedEvent { Input = request.Reason } };
        await SendOrThrowAsync(request.InstanceId, suspended, "suspended", context.CancellationToken).ConfigureAwait(false);
        return new P.SuspendResponse();
    }

    /// <inheritdoc/>
    public override async Task<P.ResumeResponse> ResumeInstance(P.ResumeRequest request, ServerCallContext context)
    {
        await RequireLiveAsync(request.InstanceId, "resumed", context.CancellationToken).ConfigureAwait(false);
        // Sent even when the instance is running: a suspension may be waiting in its inbox, and resume must follow it.
        var resumed = new P.HistoryEvent { EventId = -1, Timestamp = Timestamp.FromDateTime(Now), ExecutionResumed = new P.ExecutionResumedEvent { Input = request.Reason } };
        await SendOrThrowAsync(request.InstanceId, resumed, "resumed", context.CancellationToken).ConfigureAwait(false);
        return new P.ResumeResponse();
    }

    /// <inheritdoc/>
    public override async Task<P.RewindInstanceResponse> RewindInstance(P.RewindInstanceRequest request, ServerCallContext context)
    {
        RequireInstanceId(request.InstanceId);
        var record = await store.GetInstanceAsync(request.InstanceId, false, context.CancellationToken).ConfigureAwait(false) ?? throw NotFound(request.InstanceId);
        if (record.Status != P.OrchestrationStatus.Failed)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"Only a failed orchestration can be rewound; '{request.InstanceId}' is {record.Status}."));
        }
        var rewound = new P.HistoryEvent { EventId = -1, Timestamp = Timestamp.FromDateTime(Now), ExecutionRewound = new P.ExecutionRewoundEvent { Reason = request.Reason } };
        if (await store.SendAsync(request.InstanceId, rewound, true, context.CancellationToken).ConfigureAwait(false) == SendOutcome.NotFound)
            throw NotFound(request.InstanceId);
        return new P.RewindInstanceResponse();
    }

    /// <inheritdoc/>
    public override async Task<P.RestartInstanceResponse> RestartInstance(P.RestartInstanceRequest request, ServerCallContext context)
    {
        RequireInstanceId(request.InstanceId);
        var record = await store.GetInstanceAsync(request.InstanceId, true, context.CancellationToken).ConfigureAwait(false) ?? throw NotFound(request.InstanceId);
        if (!record.Status.IsFinished())
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"The orchestration '{request.InstanceId}' is {record.Status}; only a finished one can be restarted."));
        var restart = new P.CreateInstanceRequest
        {
            InstanceId = request.RestartWithNewInstanceId ? Guid.NewGuid().ToString("N") : request.InstanceId,
            Name = record.Name,
            Version = record.Version,
            Input = record.Input,
        };
        var created = await StartInstance(restart, context).ConfigureAwait(false);
        return new P.RestartInstanceResponse { InstanceId = created.InstanceId };
    }

    /// <inheritdoc/>
    public override async Task<P.SkipGracefulOrchestrationTerminationsResponse> SkipGracefulOrchestrationTerminations(
        P.SkipGracefulOrchestrationTerminationsRequest request, ServerCallContext context)
    {
        var ids = request.InstanceBatch?.InstanceIds ?? [];
        if (ids.Count > 500) throw Invalid("At most 500 instances can be terminated at a time.");
        var response = new P.SkipGracefulOrchestrationTerminationsResponse();
        foreach (var id in ids)
        {
            // Termination is decided by the sidecar itself (no worker involved), so this is as immediate as it gets.
            var outcome = await store.SendAsync(id, HistoryEvents.ExecutionTerminated(Now, request.Reason, false), false, context.CancellationToken).ConfigureAwait(false);
            if (outcome != SendOutcome.Sent) response.UnterminatedInstanceIds.Add(id);
        }
        return response;
    }

    private async Task<InstanceRecord> RequireLiveAsync(string instanceId, string what, CancellationToken ct)
    {
        RequireInstanceId(instanceId);
        var record = await store.GetInstanceAsync(instanceId, false, ct).ConfigureAwait(false) ?? throw NotFound(instanceId);
        if (record.Status.IsFinished())
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"The orchestration '{instanceId}' has finished ({record.Status}) and cannot be {what}."));
        return record;
    }

    private async Task SendOrThrowAsync(string instanceId, P.HistoryEvent message, string what, CancellationToken ct)
    {
        switch (await store.SendAsync(instanceId, message, false, ct).ConfigureAwait(false))
        {
            case SendOutcome.NotFound: throw NotFound(instanceId);
            case SendOutcome.Finished: throw new RpcException(new Status(StatusCode.FailedPrecondition, $"The orchestration '{instanceId}' has finished and cannot be {what}."));
        }
    }
}
