using Microsoft.DurableTask;

namespace Pipeline.Functions.Approval;

/// <summary>Retries of the approval's activities.</summary>
public static class ApprovalRetries
{
    /// <summary>
    /// For activities that wait on things that recover by themselves (a mail server, a disk): about a day of retries,
    /// at most two hours apart, instead of failing the approval. Every approval activity is idempotent.
    /// </summary>
    public static readonly TaskOptions Patient = TaskOptions.FromRetryPolicy(new RetryPolicy(20, TimeSpan.FromSeconds(30), 2, TimeSpan.FromHours(2)));
}
