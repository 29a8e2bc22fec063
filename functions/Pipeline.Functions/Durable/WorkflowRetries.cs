using Microsoft.DurableTask;

namespace Pipeline.Functions.Durable;

/// <summary>
/// Retry policies the app's orchestrations share. Retries happen only where an activity call passes one of these (no
/// default retry in host.json): <c>await context.CallActivityAsync&lt;int&gt;(Name, input, WorkflowRetries.Patient)</c>.
/// </summary>
public static class WorkflowRetries
{
    /// <summary>
    /// For activities that wait on things that recover by themselves (a mail server, a disk): about a day of retries (20
    /// attempts, 30 s doubling to at most two hours apart) instead of failing the approval or meeting. Only for
    /// idempotent activities.
    /// </summary>
    public static readonly TaskOptions Patient =
        TaskOptions.FromRetryPolicy(new RetryPolicy(20, TimeSpan.FromSeconds(30), 2, TimeSpan.FromHours(2)));
}
