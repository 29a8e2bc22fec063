using Pipeline.Durable;

namespace Pipeline.Functions.Durable;

/// <summary>Retry policies the app's orchestrations share.</summary>
public static class WorkflowRetries
{
    /// <summary>
    /// For activities that wait on things that recover by themselves (a mail server, a disk): about a day of retries,
    /// at most two hours apart, instead of failing the approval or meeting. Only for idempotent activities.
    /// </summary>
    public static readonly TaskOptions Patient = new(new RetryPolicy(20, TimeSpan.FromSeconds(30), 2, TimeSpan.FromHours(2)));
}
