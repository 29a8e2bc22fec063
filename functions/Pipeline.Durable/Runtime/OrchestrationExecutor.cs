using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Durable.Storage;

namespace Pipeline.Durable.Runtime;

/// <summary>
/// Runs one orchestration execution: replays its history through the orchestrator's code, then feeds it
/// new inbox messages and turns what the code asked for into an <see cref="OrchestrationCommit"/>.
/// Between steps the executor may be kept in memory (the worker's cache), so a step costs only its new
/// messages; a fresh executor replays the whole history first and ends in exactly the same state.
/// </summary>
internal sealed class OrchestrationExecutor : TaskOrchestrationContext
{
    private readonly ITaskOrchestrator? _orchestrator;
    private readonly ILoggerFactory _loggerFactory;
    private readonly RetryPolicy? _defaultActivityRetry;
    private readonly OrchestrationSynchronizationContext _scheduler = new();

    // Calls the code made that history has not confirmed yet, by sequence number.
    private readonly SortedDictionary<int, PendingAction> _pending = new();
    // Calls waiting for a result (activities, sub-orchestrations, timers), by sequence number.
    private readonly Dictionary<int, OpenCall> _open = new();
    private readonly Dictionary<string, LinkedList<TaskCompletionSource<string?>>> _eventWaiters = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Queue<EventRaisedEvent>> _bufferedEvents = new(StringComparer.OrdinalIgnoreCase);

    private string? _serializedInput;
    private ParentInstance? _parent;
    private DateTime _currentUtc;
    private bool _isReplaying;
    private int _nextSequence;
    private int _guidCounter;
    private bool _suspended;
    private string? _customStatus;
    private Task<object?>? _run;
    private (object? Input, bool PreserveEvents)? _continueAsNew;
    private Outcome? _outcome;

    public OrchestrationExecutor(string instanceId, string name, string executionId, ITaskOrchestrator? orchestrator, ILoggerFactory? loggerFactory, RetryPolicy? defaultActivityRetry)
    {
        InstanceId = instanceId;
        Name = name;
        ExecutionId = executionId;
        _orchestrator = orchestrator;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _defaultActivityRetry = defaultActivityRetry;
    }

    public override string Name { get; }
    public override string InstanceId { get; }
    public string ExecutionId { get; }
    public override DateTime CurrentUtcDateTime => _currentUtc;
    public override bool IsReplaying => _isReplaying;

    /// <summary>Number of history events this executor has applied (recorded ones plus those of committed steps).</summary>
    public int HistoryCount { get; private set; }

    /// <summary>True once the execution has finished (or continued as new); a finished executor is not cached.</summary>
    public bool IsFinished => _outcome is not null;

    /// <summary>Rebuilds the orchestration's state from its recorded history.</summary>
    public void Replay(IReadOnlyList<HistoryEvent> history)
    {
        _isReplaying = true;
        try
        {
            foreach (var e in history) Apply(e);
        }
        catch (NonDeterministicOrchestrationException ex)
        {
            // Even if the code already returned on replay: history that the code does not reproduce is a failure.
            _outcome = Outcome.Failed(TaskFailureDetails.FromException(ex));
        }
        finally
        {
            _isReplaying = false;
        }
        // What the code did past the recorded history is new work; the next step will record it.
        HistoryCount = history.Count;
    }

    /// <summary>Runs one step over the leased inbox messages and describes everything it changes.</summary>
    public OrchestrationCommit RunStep(OrchestrationWorkItem item, string workerId, DateTime now)
    {
        var step = new StepOutput();
        if (_outcome is null)
        {
            Record(step, new OrchestratorStartedEvent { Timestamp = now });
        }

        var consumed = new List<long>(item.Messages.Count);
        foreach (var message in item.Messages)
        {
            if (_outcome is not null)
            {
                // Messages after the end are dropped, except events a ContinueAsNew execution takes over (in arrival order).
                consumed.Add(message.Id);
                if (_outcome.Status == null && _outcome.PreserveEvents && message.Event is EventRaisedEvent raised) step.CarriedEvents.Add(raised);
                continue;
            }
            if (message.ExecutionId is not null && message.ExecutionId != ExecutionId)
            {
                consumed.Add(message.Id); // addressed to an earlier execution (ContinueAsNew, restart): stale
                continue;
            }
            if (_suspended && message.Event is not (ExecutionResumedEvent or ExecutionTerminatedEvent))
            {
                continue; // stays in the inbox until resumed
            }
            consumed.Add(message.Id);
            if (IsDuplicateResult(message.Event)) continue;
            Record(step, message.Event);
        }

        return BuildCommit(item, workerId, now, consumed, step);
    }

    private void Record(StepOutput step, HistoryEvent e)
    {
        step.History.Add(e);
        try
        {
            Apply(e);
        }
        catch (NonDeterministicOrchestrationException ex)
        {
            _outcome ??= Outcome.Failed(TaskFailureDetails.FromException(ex));
        }
    }

    // A result for a call that is not open is a redelivery (at-least-once activities); recording it twice
    // would break replay, so it is dropped.
    private bool IsDuplicateResult(HistoryEvent e) => e switch
    {
        TaskCompletedEvent c => !_open.ContainsKey(c.TaskScheduledId) && !_pending.ContainsKey(c.TaskScheduledId),
        TaskFailedEvent f => !_open.ContainsKey(f.TaskScheduledId) && !_pending.ContainsKey(f.TaskScheduledId),
        _ => false,
    };

    private void Apply(HistoryEvent e)
    {
        switch (e)
        {
            case OrchestratorStartedEvent:
                _currentUtc = e.Timestamp;
                break;
            case ExecutionStartedEvent started:
                _currentUtc = _currentUtc == default ? started.Timestamp : _currentUtc;
                Start(started);
                break;
            case TaskScheduledEvent s:
                Confirm(s.EventId, CallKind.Activity, s.Name);
                break;
            case TimerCreatedEvent t:
                Confirm(t.EventId, CallKind.Timer, null);
                break;
            case SubOrchestrationCreatedEvent s:
                Confirm(s.EventId, CallKind.SubOrchestration, s.Name);
                break;
            case EventSentEvent s:
                Confirm(s.EventId, CallKind.SendEvent, s.Name);
                break;
            case TaskCompletedEvent c:
                Resolve(c.TaskScheduledId, call => call.Result.TrySetResult(c.Result));
                break;
            case SubOrchestrationCompletedEvent c:
                Resolve(c.TaskScheduledId, call => call.Result.TrySetResult(c.Result));
                break;
            case TaskFailedEvent f:
                Resolve(f.TaskScheduledId, call => call.Result.TrySetException(new TaskFailedException(call.Name, f.TaskScheduledId, f.Failure)));
                break;
            case SubOrchestrationFailedEvent f:
                Resolve(f.TaskScheduledId, call => call.Result.TrySetException(new TaskFailedException(call.Name, f.TaskScheduledId, f.Failure)));
                break;
            case TimerFiredEvent t:
                Resolve(t.TimerId, call => call.Result.TrySetResult(null));
                break;
            case EventRaisedEvent raised:
                Deliver(raised);
                break;
            case ExecutionSuspendedEvent:
                _suspended = true;
                break;
            case ExecutionResumedEvent:
                _suspended = false;
                break;
            case ExecutionTerminatedEvent terminated:
                _outcome ??= Outcome.Terminated(terminated.Reason);
                break;
        }
        CheckFinished();
    }

    private void Start(ExecutionStartedEvent started)
    {
        _serializedInput = started.Input;
        _parent = started.Parent;
        if (_orchestrator is null)
        {
            _outcome = Outcome.Failed(new TaskFailureDetails(typeof(InvalidOperationException).FullName!,
                $"No orchestrator named '{Name}' is registered with this worker."));
            return;
        }
        _scheduler.Run(() =>
        {
            try
            {
                var input = JsonDataConverter.Deserialize(started.Input, _orchestrator.InputType);
                _run = _orchestrator.RunAsync(this, input);
            }
            catch (Exception ex)
            {
                _run = Task.FromException<object?>(ex);
            }
        });
    }

    private void Confirm(int id, CallKind kind, string? name)
    {
        if (!_pending.Remove(id, out var action))
        {
            throw new NonDeterministicOrchestrationException(
                $"Non-deterministic orchestrator '{Name}': its history says step #{id} {Describe(kind, name)}, but on replay the code did not. " +
                "The orchestrator code changed while this instance was running, or it is not deterministic (use context.CurrentUtcDateTime, " +
                "context.NewGuid() and activities instead of DateTime.Now, Guid.NewGuid(), random numbers or I/O).");
        }
        if (action.Kind != kind || !string.Equals(action.Name, name, StringComparison.OrdinalIgnoreCase))
        {
            throw new NonDeterministicOrchestrationException(
                $"Non-deterministic orchestrator '{Name}': its history says step #{id} {Describe(kind, name)}, but on replay the code " +
                $"{Describe(action.Kind, action.Name)} instead. The orchestrator code changed while this instance was running, or it is not deterministic.");
        }
    }

    private static string Describe(CallKind kind, string? name) => kind switch
    {
        CallKind.Activity => $"called activity '{name}'",
        CallKind.SubOrchestration => $"started sub-orchestration '{name}'",
        CallKind.Timer => "created a timer",
        _ => $"sent event '{name}'",
    };

    private void Resolve(int id, Action<OpenCall> complete)
    {
        if (!_open.Remove(id, out var call)) return; // cancelled timer, or a result already applied
        _scheduler.Run(() => complete(call));
    }

    private void Deliver(EventRaisedEvent raised)
    {
        if (_eventWaiters.TryGetValue(raised.Name, out var waiters) && waiters.First is { } first)
        {
            waiters.RemoveFirst();
            _scheduler.Run(() => first.Value.TrySetResult(raised.Input));
            return;
        }
        if (!_bufferedEvents.TryGetValue(raised.Name, out var queue)) _bufferedEvents[raised.Name] = queue = new Queue<EventRaisedEvent>();
        queue.Enqueue(raised);
    }

    private void CheckFinished()
    {
        if (_outcome is not null || _run is not { IsCompleted: true } run) return;
        if (run.IsCompletedSuccessfully)
        {
            _outcome = _continueAsNew is { } next
                ? Outcome.ContinueAsNew(JsonDataConverter.Serialize(next.Input), next.PreserveEvents)
                : Outcome.Completed(JsonDataConverter.Serialize(run.Result));
        }
        else
        {
            Exception error = run.Exception?.InnerException ?? new TaskCanceledException("The orchestrator's task was cancelled.");
            _outcome = Outcome.Failed(TaskFailureDetails.FromException(error));
        }
    }

    private OrchestrationCommit BuildCommit(OrchestrationWorkItem item, string workerId, DateTime now, List<long> consumed, StepOutput step)
    {
        var activities = new List<ActivityRequest>();
        var messages = new List<OutboundMessage>();
        var children = new List<NewOrchestrationInstance>();

        // Turn the code's new calls into history and work, in the order it made them.
        foreach (var (id, action) in _pending)
        {
            switch (action.Kind)
            {
                case CallKind.Activity:
                    step.History.Add(new TaskScheduledEvent(id, action.Name!, action.Input) { Timestamp = now });
                    activities.Add(new ActivityRequest(InstanceId, ExecutionId, id, action.Name!, action.Input));
                    break;
                case CallKind.Timer:
                    step.History.Add(new TimerCreatedEvent(id, action.FireAt) { Timestamp = now });
                    messages.Add(new OutboundMessage(InstanceId, ExecutionId, new TimerFiredEvent(id, action.FireAt) { Timestamp = action.FireAt }, action.FireAt));
                    break;
                case CallKind.SubOrchestration:
                    step.History.Add(new SubOrchestrationCreatedEvent(id, action.Name!, action.Target!, action.Input) { Timestamp = now });
                    children.Add(new NewOrchestrationInstance(action.Target!, action.Name!, action.Input, Guid.NewGuid().ToString("N"), now,
                        new ParentInstance(InstanceId, ExecutionId, id, Name)));
                    break;
                case CallKind.SendEvent:
                    step.History.Add(new EventSentEvent(id, action.Target!, action.Name!, action.Input) { Timestamp = now });
                    messages.Add(new OutboundMessage(action.Target!, null, new EventRaisedEvent(action.Name!, action.Input) { Timestamp = now }, now));
                    break;
            }
        }
        _pending.Clear();

        var status = _suspended ? OrchestrationRuntimeStatus.Suspended : OrchestrationRuntimeStatus.Running;
        string? output = null;
        TaskFailureDetails? failure = null;
        string? continuedAs = null;
        string? input = item.Status == OrchestrationRuntimeStatus.Pending ? _serializedInput : null;

        if (_outcome is { } outcome)
        {
            // A finished orchestration's pending activities and timers would only produce ignored results.
            activities.Clear();
            messages.RemoveAll(m => m.Event is TimerFiredEvent);
            if (outcome.Status is { } final)
            {
                status = final;
                output = outcome.Output;
                failure = outcome.Failure;
                step.History.Add(new ExecutionCompletedEvent(final, output, failure) { Timestamp = now });
                if (_parent is { } parent) messages.Add(NotifyParent(parent, outcome, now));
            }
            else
            {
                continuedAs = Guid.NewGuid().ToString("N");
                input = outcome.Output;
                status = OrchestrationRuntimeStatus.Running;
                messages.Insert(0, new OutboundMessage(InstanceId, continuedAs,
                    new ExecutionStartedEvent(Name, outcome.Output, continuedAs, _parent) { Timestamp = now }, now));
                if (outcome.PreserveEvents)
                {
                    var carried = _bufferedEvents.Values.SelectMany(queue => queue).OrderBy(e => e.Timestamp).Concat(step.CarriedEvents);
                    foreach (var e in carried) messages.Add(new OutboundMessage(InstanceId, null, e, now));
                }
            }
        }

        var commit = new OrchestrationCommit
        {
            InstanceId = InstanceId,
            ExecutionId = ExecutionId,
            WorkerId = workerId,
            ConsumedMessageIds = consumed,
            NewHistory = continuedAs is null ? step.History : [],
            ExpectedHistoryCount = HistoryCount,
            Status = status,
            Output = output,
            Failure = failure,
            CustomStatus = _customStatus,
            Input = input,
            ContinuedAsNewExecutionId = continuedAs,
            Activities = activities,
            Messages = messages,
            SubOrchestrations = children,
        };
        HistoryCount += step.History.Count;
        return commit;
    }

    private OutboundMessage NotifyParent(ParentInstance parent, Outcome outcome, DateTime now)
    {
        HistoryEvent result = outcome.Status == OrchestrationRuntimeStatus.Completed
            ? new SubOrchestrationCompletedEvent(parent.TaskScheduledId, outcome.Output) { Timestamp = now }
            : new SubOrchestrationFailedEvent(parent.TaskScheduledId, outcome.Failure
                ?? new TaskFailureDetails("OrchestrationTerminated", $"Sub-orchestration '{InstanceId}' was terminated: {outcome.Output}")) { Timestamp = now };
        return new OutboundMessage(parent.InstanceId, parent.ExecutionId, result, now);
    }

    // ---- TaskOrchestrationContext: what orchestrator code calls ----

    public override T? GetInput<T>() where T : default => JsonDataConverter.Deserialize<T>(_serializedInput);

    public override Task<TResult> CallActivityAsync<TResult>(string name, object? input = null, TaskOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var serialized = JsonDataConverter.Serialize(input);
        var policy = options?.Retry ?? _defaultActivityRetry;
        return WithRetry(policy, () => Read<TResult>(Call(CallKind.Activity, name, serialized, null)));
    }

    public override Task<TResult> CallSubOrchestratorAsync<TResult>(string orchestratorName, object? input = null, TaskOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orchestratorName);
        var serialized = JsonDataConverter.Serialize(input);
        var explicitId = (options as SubOrchestrationOptions)?.InstanceId;
        return WithRetry(options?.Retry, () =>
        {
            var childId = explicitId ?? $"{InstanceId}:{_nextSequence:D4}";
            return Read<TResult>(Call(CallKind.SubOrchestration, orchestratorName, serialized, childId));
        });
    }

    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken)
    {
        ThrowIfNotOrchestratorThread();
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled(cancellationToken);
        var id = _nextSequence++;
        _pending[id] = new PendingAction(CallKind.Timer, null, null, null, fireAt.ToUniversalTime());
        var call = new OpenCall("timer", new TaskCompletionSource<string?>());
        _open[id] = call;
        if (cancellationToken.CanBeCanceled)
        {
            // Cancelling runs on the orchestration thread (the code cancels), so this is deterministic.
            cancellationToken.Register(() =>
            {
                if (_open.Remove(id)) call.Result.TrySetCanceled(cancellationToken);
            });
        }
        return call.Result.Task;
    }

    public override Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default)
    {
        ThrowIfNotOrchestratorThread();
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<T>(cancellationToken);
        if (_bufferedEvents.TryGetValue(eventName, out var queue) && queue.Count > 0)
        {
            var buffered = queue.Dequeue();
            return Read<T>(Task.FromResult(buffered.Input));
        }
        if (!_eventWaiters.TryGetValue(eventName, out var waiters)) _eventWaiters[eventName] = waiters = new();
        var node = waiters.AddLast(new TaskCompletionSource<string?>());
        if (cancellationToken.CanBeCanceled)
        {
            // A cancelled wait leaves the queue, so it cannot swallow a later event.
            cancellationToken.Register(() =>
            {
                if (node.List is not null)
                {
                    waiters.Remove(node);
                    node.Value.TrySetCanceled(cancellationToken);
                }
            });
        }
        return Read<T>(node.Value.Task);
    }

    public override void SendEvent(string instanceId, string eventName, object? payload)
    {
        ThrowIfNotOrchestratorThread();
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        _pending[_nextSequence++] = new PendingAction(CallKind.SendEvent, eventName, JsonDataConverter.Serialize(payload), instanceId, default);
    }

    public override void SetCustomStatus(object? customStatus)
    {
        ThrowIfNotOrchestratorThread();
        _customStatus = JsonDataConverter.Serialize(customStatus);
    }

    public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true)
    {
        ThrowIfNotOrchestratorThread();
        _continueAsNew = (newInput, preserveUnprocessedEvents);
    }

    public override Guid NewGuid()
        => DeterministicGuid.Create($"{InstanceId}|{ExecutionId}|{_currentUtc:O}|{_guidCounter++}");

    public override ILogger CreateReplaySafeLogger(string categoryName)
        => new ReplaySafeLogger(_loggerFactory.CreateLogger(categoryName), () => _isReplaying);

    private Task<string?> Call(CallKind kind, string name, string? input, string? target)
    {
        ThrowIfNotOrchestratorThread();
        var id = _nextSequence++;
        _pending[id] = new PendingAction(kind, name, input, target, default);
        var call = new OpenCall(name, new TaskCompletionSource<string?>());
        _open[id] = call;
        return call.Result.Task;
    }

    private async Task<T> WithRetry<T>(RetryPolicy? policy, Func<Task<T>> attempt)
    {
        if (policy is null || policy.MaxNumberOfAttempts <= 1) return await attempt();
        var firstAttemptAt = _currentUtc;
        for (var n = 1; ; n++)
        {
            try
            {
                return await attempt();
            }
            catch (TaskFailedException e) when (n < policy.MaxNumberOfAttempts && (policy.Handle?.Invoke(e.FailureDetails) ?? true))
            {
                var delay = policy.DelayBeforeRetry(n);
                if (policy.RetryTimeout is { } timeout && _currentUtc + delay - firstAttemptAt > timeout) throw;
                if (delay > TimeSpan.Zero) await CreateTimer(_currentUtc + delay, CancellationToken.None);
            }
        }
    }

    private static async Task<T> Read<T>(Task<string?> raw) => (T)JsonDataConverter.Deserialize(await raw, typeof(T))!;

    private void ThrowIfNotOrchestratorThread()
    {
        if (!_scheduler.IsRunningHere)
        {
            throw new InvalidOperationException(
                $"Orchestrator '{Name}' called the orchestration context from another thread. Orchestrator code must await only " +
                "tasks the context gives out: do not use Task.Run, Task.Delay or ConfigureAwait(false) in orchestrators.");
        }
    }

    private enum CallKind { Activity, SubOrchestration, Timer, SendEvent }

    private sealed record PendingAction(CallKind Kind, string? Name, string? Input, string? Target, DateTime FireAt);

    private sealed record OpenCall(string Name, TaskCompletionSource<string?> Result);

    private sealed class StepOutput
    {
        public List<HistoryEvent> History { get; } = [];
        public List<EventRaisedEvent> CarriedEvents { get; } = [];
    }

    /// <summary>How the execution ended; <see cref="Status"/> null means ContinueAsNew.</summary>
    private sealed record Outcome(OrchestrationRuntimeStatus? Status, string? Output, TaskFailureDetails? Failure, bool PreserveEvents)
    {
        public static Outcome Completed(string? output) => new(OrchestrationRuntimeStatus.Completed, output, null, false);
        public static Outcome Failed(TaskFailureDetails failure) => new(OrchestrationRuntimeStatus.Failed, JsonDataConverter.Serialize(failure.ErrorMessage), failure, false);
        public static Outcome Terminated(string? reason) => new(OrchestrationRuntimeStatus.Terminated, JsonDataConverter.Serialize(reason), null, false);
        public static Outcome ContinueAsNew(string? input, bool preserveEvents) => new(null, input, null, preserveEvents);
    }
}
