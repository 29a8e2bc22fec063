using Pipeline.Durable;

namespace Pipeline.Functions.Hosting;

/// <summary>host.json <c>extensions.durableTask</c>: how the durable engine stores and runs work.</summary>
public sealed record DurableTaskHostOptions
{
    /// <summary><c>hubName</c>: a label for this app's orchestrations (informational; one hub per store).</summary>
    public string HubName { get; init; } = "pipeline";

    /// <summary><c>storageProvider</c>: which store holds instances and histories.</summary>
    public StorageProviderOptions StorageProvider { get; init; } = new();

    /// <summary><c>maxConcurrentOrchestratorFunctions</c>: orchestration steps one process runs at once.</summary>
    public int MaxConcurrentOrchestratorFunctions { get; init; } = 8;

    /// <summary><c>maxConcurrentActivityFunctions</c>: activities one process runs at once.</summary>
    public int MaxConcurrentActivityFunctions { get; init; } = 16;

    /// <summary><c>leaseDuration</c>: how long a crashed process's work stays claimed before another takes it.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>maxPollingInterval</c>: longest wait between store polls (bounds timer latency).</summary>
    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary><c>defaultRetry</c>: retries for activity calls that set none; null for a single attempt.</summary>
    public DefaultRetryOptions? DefaultRetry { get; init; }
}

/// <summary>host.json <c>extensions.durableTask.storageProvider</c>.</summary>
/// <param name="Type"><c>sqlite</c> (embedded default, a file under the data dir) or <c>postgres</c>.</param>
/// <param name="ConnectionString">PostgreSQL connection string; unused for SQLite.</param>
public sealed record StorageProviderOptions(string Type = "sqlite", string? ConnectionString = null);

/// <summary>host.json <c>extensions.durableTask.defaultRetry</c>, in Durable Functions' retry terms.</summary>
public sealed record DefaultRetryOptions(
    int MaxNumberOfAttempts,
    TimeSpan FirstRetryInterval,
    double BackoffCoefficient = 1.0,
    TimeSpan? MaxRetryInterval = null)
{
    /// <summary>The engine's retry policy with these values.</summary>
    public RetryPolicy ToRetryPolicy() => new(MaxNumberOfAttempts, FirstRetryInterval, BackoffCoefficient, MaxRetryInterval);
}
