namespace Pipeline.Durable;

/// <summary>Untyped view of an activity, used by the worker. Implement <see cref="TaskActivity{TInput,TOutput}"/> instead.</summary>
public interface ITaskActivity
{
    /// <summary>The type the serialized input is read as.</summary>
    Type InputType { get; }

    /// <summary>Runs the activity with an already deserialized input.</summary>
    Task<object?> RunAsync(TaskActivityContext context, object? input);
}

/// <summary>
/// Base class for activities: the unit of real work (I/O, CPU). An activity runs at least once —
/// it may run again after a crash — and its result is recorded exactly once, so it should be idempotent.
/// </summary>
public abstract class TaskActivity<TInput, TOutput> : ITaskActivity
{
    /// <inheritdoc/>
    public Type InputType => typeof(TInput);

    /// <summary>The activity's work.</summary>
    public abstract Task<TOutput> RunAsync(TaskActivityContext context, TInput input);

    async Task<object?> ITaskActivity.RunAsync(TaskActivityContext context, object? input)
        => await RunAsync(context, input is null ? default! : (TInput)input);
}

/// <summary>What an activity knows about the call it is serving.</summary>
/// <param name="Name">The activity's registered name.</param>
/// <param name="InstanceId">The orchestration instance that scheduled it.</param>
/// <param name="Attempt">1 on the first delivery; higher when a crashed worker's work is delivered again.</param>
/// <param name="CancellationToken">Cancelled when the function timeout passes or the worker shuts down.</param>
public sealed record TaskActivityContext(string Name, string InstanceId, int Attempt, CancellationToken CancellationToken);
