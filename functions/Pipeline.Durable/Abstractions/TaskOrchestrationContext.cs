using Microsoft.Extensions.Logging;

namespace Pipeline.Durable;

/// <summary>
/// What orchestrator code may use. Every method is replay-safe: on replay the same calls return the
/// recorded results instead of doing the work again.
/// </summary>
public abstract class TaskOrchestrationContext
{
    /// <summary>The orchestrator's registered name.</summary>
    public abstract string Name { get; }

    /// <summary>The instance's id.</summary>
    public abstract string InstanceId { get; }

    /// <summary>The orchestration's notion of "now": the time the current step began, the same on every replay.</summary>
    public abstract DateTime CurrentUtcDateTime { get; }

    /// <summary>True while code is re-running over recorded history (use it to avoid duplicate logs).</summary>
    public abstract bool IsReplaying { get; }

    /// <summary>The instance input, read as <typeparamref name="T"/>.</summary>
    public abstract T? GetInput<T>();

    /// <summary>
    /// Schedules an activity and returns its result. Failures surface as <see cref="TaskFailedException"/>
    /// after the retry policy (from <paramref name="options"/> or the worker default) is exhausted.
    /// </summary>
    public abstract Task<TResult> CallActivityAsync<TResult>(string name, object? input = null, TaskOptions? options = null);

    /// <summary>Schedules an activity whose result is not needed.</summary>
    public Task CallActivityAsync(string name, object? input = null, TaskOptions? options = null)
        => CallActivityAsync<object?>(name, input, options);

    /// <summary>Starts a child orchestration and returns its output; a failed child throws <see cref="TaskFailedException"/>.</summary>
    public abstract Task<TResult> CallSubOrchestratorAsync<TResult>(string orchestratorName, object? input = null, TaskOptions? options = null);

    /// <summary>Starts a child orchestration whose output is not needed.</summary>
    public Task CallSubOrchestratorAsync(string orchestratorName, object? input = null, TaskOptions? options = null)
        => CallSubOrchestratorAsync<object?>(orchestratorName, input, options);

    /// <summary>
    /// A durable timer: it survives process restarts and may be any length (weeks, months).
    /// Cancelling the token abandons the wait (the task is cancelled); the stored timer then fires unseen.
    /// </summary>
    public abstract Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken);

    /// <summary>A durable timer that fires <paramref name="delay"/> after <see cref="CurrentUtcDateTime"/>.</summary>
    public Task CreateTimer(TimeSpan delay, CancellationToken cancellationToken)
        => CreateTimer(CurrentUtcDateTime.Add(delay), cancellationToken);

    /// <summary>
    /// Waits for an external event. Events are kept per name in arrival order until consumed, so an event
    /// raised before the instance started or while it was not waiting is delivered to the next wait.
    /// A cancelled wait consumes nothing: a later event goes to a later wait.
    /// </summary>
    public abstract Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits for an external event for at most <paramref name="timeout"/> (a durable timer).
    /// On timeout the task is cancelled (<see cref="TaskCanceledException"/>) and no event is consumed.
    /// </summary>
    public virtual async Task<T> WaitForExternalEvent<T>(string eventName, TimeSpan timeout)
    {
        using var timerCts = new CancellationTokenSource();
        using var eventCts = new CancellationTokenSource();
        var timer = CreateTimer(timeout, timerCts.Token);
        var received = WaitForExternalEvent<T>(eventName, eventCts.Token);
        var winner = await Task.WhenAny(timer, received);
        if (winner == received) timerCts.Cancel();
        else eventCts.Cancel();
        return await received;
    }

    /// <summary>Sends an event to another instance (fire and forget; dropped if that instance does not exist or has finished).</summary>
    public abstract void SendEvent(string instanceId, string eventName, object? payload);

    /// <summary>Sets the status shown to clients (e.g. progress); saved with the next step.</summary>
    public abstract void SetCustomStatus(object? customStatus);

    /// <summary>
    /// Restarts the orchestration with a new input and an empty history once the orchestrator returns,
    /// keeping eternal orchestrations bounded. Unconsumed events are carried over when <paramref name="preserveUnprocessedEvents"/>.
    /// </summary>
    public abstract void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true);

    /// <summary>A GUID that is the same on every replay.</summary>
    public abstract Guid NewGuid();

    /// <summary>A logger that writes nothing while the orchestrator replays.</summary>
    public abstract ILogger CreateReplaySafeLogger(string categoryName);
}
