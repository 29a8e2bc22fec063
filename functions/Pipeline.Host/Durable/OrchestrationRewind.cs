using Kind = Microsoft.DurableTask.Protobuf.HistoryEvent.EventTypeOneofCase;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Host.Durable;

/// <summary>
/// Answers a rewind work item in the host, without the worker. Microsoft.DurableTask's own gRPC worker builds the
/// replacement history itself (its RewindOrchestrationHandler), but the Functions path — GrpcOrchestrationRunner,
/// which the isolated worker's orchestration trigger runs — does not: it replays the ExecutionRewound event like any
/// other and fails again. In Azure the Durable extension in the Functions host performs rewinds; so does this host,
/// with the same rule: the history minus every failed task or sub-orchestration (its scheduling and its failure) and
/// the failed completion, under a new execution id, so that the next episode re-runs exactly what failed.
/// </summary>
internal static class OrchestrationRewind
{
    /// <summary>Whether the work item asks for a rewind: its new events are OrchestratorStarted then ExecutionRewound.</summary>
    public static bool IsRequest(P.OrchestratorRequest request)
        => request.NewEvents.Any(e => e.EventTypeCase == Kind.ExecutionRewound);

    /// <summary>The response carrying the rewound history (one RewindOrchestration action).</summary>
    /// <exception cref="InvalidOperationException">The request is not a well-formed rewind request.</exception>
    public static P.OrchestratorResponse Respond(P.OrchestratorRequest request)
    {
        if (request.NewEvents.Count != 2 || request.NewEvents[0].EventTypeCase != Kind.OrchestratorStarted || request.NewEvents[1].EventTypeCase != Kind.ExecutionRewound)
            throw new InvalidOperationException("A rewind work item must bring exactly two new events: OrchestratorStarted and ExecutionRewound.");
        var rewound = request.NewEvents[1].ExecutionRewound;
        var history = request.PastEvents.Concat(request.NewEvents).ToList();
        var failedTaskIds = history
            .Where(e => e.EventTypeCase is Kind.TaskFailed or Kind.SubOrchestrationInstanceFailed)
            .Select(e => e.EventTypeCase == Kind.TaskFailed ? e.TaskFailed.TaskScheduledId : e.SubOrchestrationInstanceFailed.TaskScheduledId)
            .ToHashSet();

        var action = new P.RewindOrchestrationAction();
        var executionId = Guid.NewGuid().ToString("N");
        foreach (var e in history)
        {
            if (e.EventTypeCase is Kind.TaskFailed or Kind.SubOrchestrationInstanceFailed or Kind.ExecutionCompleted) continue;
            // A failed task's TaskScheduled goes too, so the replay schedules it again. A failed sub-orchestration's
            // SubOrchestrationInstanceCreated stays: the sidecar rewinds that child under the same instance id.
            if (e.EventTypeCase == Kind.TaskScheduled && failedTaskIds.Contains(e.EventId)) continue;
            if (e.EventTypeCase == Kind.ExecutionStarted)
            {
                var started = e.Clone();
                started.ExecutionStarted.OrchestrationInstance.ExecutionId = executionId;
                if (!string.IsNullOrEmpty(rewound.ParentExecutionId) && started.ExecutionStarted.ParentInstance?.OrchestrationInstance is { } parent)
                    parent.ExecutionId = rewound.ParentExecutionId;
                if (rewound.ParentTraceContext is not null) started.ExecutionStarted.ParentTraceContext = rewound.ParentTraceContext.Clone();
                action.NewHistory.Add(started);
            }
            else
            {
                action.NewHistory.Add(e);
            }
        }
        return new P.OrchestratorResponse
        {
            InstanceId = request.InstanceId,
            Actions = { new P.OrchestratorAction { Id = -1, RewindOrchestration = action } },
        };
    }
}
