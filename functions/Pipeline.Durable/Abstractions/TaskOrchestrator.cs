namespace Pipeline.Durable;

/// <summary>
/// Untyped view of an orchestrator, used by the worker. Implement <see cref="TaskOrchestrator{TInput,TOutput}"/> instead.
/// </summary>
public interface ITaskOrchestrator
{
    /// <summary>The type the serialized input is read as.</summary>
    Type InputType { get; }

    /// <summary>Runs the orchestrator with an already deserialized input.</summary>
    Task<object?> RunAsync(TaskOrchestrationContext context, object? input);
}

/// <summary>
/// Base class for orchestrators. The code is replayed from history every time the orchestration
/// resumes, so it must be deterministic: take time, ids and randomness only from the context,
/// do I/O only in activities, and await only tasks the context gives out (no Task.Run, Task.Delay
/// or ConfigureAwait(false)).
/// </summary>
public abstract class TaskOrchestrator<TInput, TOutput> : ITaskOrchestrator
{
    /// <inheritdoc/>
    public Type InputType => typeof(TInput);

    /// <summary>The orchestration's logic.</summary>
    public abstract Task<TOutput> RunAsync(TaskOrchestrationContext context, TInput input);

    async Task<object?> ITaskOrchestrator.RunAsync(TaskOrchestrationContext context, object? input)
        => await RunAsync(context, input is null ? default! : (TInput)input);
}
