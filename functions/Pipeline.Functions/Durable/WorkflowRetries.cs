using Microsoft.DurableTask;
using LegacyRetryPolicy = Pipeline.Durable.RetryPolicy;
using LegacyTaskOptions = Pipeline.Durable.TaskOptions;

namespace Pipeline.Functions.Durable;

/// <summary>
/// Retry policies the app's orchestrations share. Retries happen only where an activity call passes one of these (no
/// default retry in host.json): <c>await context.CallActivityAsync&lt;int&gt;(Name, input, WorkflowRetries.Patient)</c> on a
/// Microsoft.DurableTask <see cref="TaskOrchestrationContext"/>.
/// </summary>
public static class WorkflowRetries
{
    /// <summary>
    /// For activities that wait on things that recover by themselves (a mail server, a disk): about a day of retries (20
    /// attempts, 30 s doubling to at most two hours apart) instead of failing the approval or meeting. Only for
    /// idempotent activities.
    /// </summary>
    public static readonly SharedTaskOptions Patient = new(20, TimeSpan.FromSeconds(30), 2, TimeSpan.FromHours(2));
}

/// <summary>
/// A retry policy usable wherever a Microsoft.DurableTask <see cref="TaskOptions"/> is expected (it converts implicitly;
/// <see cref="Options"/> gives it outright). Until the old engine is removed at integration it also converts to that
/// engine's options, so code not yet converted keeps compiling with the same <see cref="WorkflowRetries"/> member.
/// </summary>
public sealed class SharedTaskOptions
{
    private readonly LegacyTaskOptions _legacy;

    /// <summary>A policy of <paramref name="maxAttempts"/> attempts, waits from <paramref name="firstInterval"/> growing by <paramref name="backoff"/> up to <paramref name="maxInterval"/>.</summary>
    public SharedTaskOptions(int maxAttempts, TimeSpan firstInterval, double backoff, TimeSpan maxInterval)
    {
        Options = TaskOptions.FromRetryPolicy(new RetryPolicy(maxAttempts, firstInterval, backoff, maxInterval));
        _legacy = new LegacyTaskOptions(new LegacyRetryPolicy(maxAttempts, firstInterval, backoff, maxInterval));
    }

    /// <summary>The Microsoft.DurableTask task options.</summary>
    public TaskOptions Options { get; }

    /// <summary>The Microsoft.DurableTask task options.</summary>
    public static implicit operator TaskOptions(SharedTaskOptions options) => options.Options;

    /// <summary>The old engine's options (removed with the engine at integration).</summary>
    public static implicit operator LegacyTaskOptions(SharedTaskOptions options) => options._legacy;
}
