namespace Pipeline.Durable.Sidecar;

/// <summary>How the sidecar stores its task hub and hands out work. Every value has a production default; a host sets
/// what it needs in <c>AddDurableSidecar(o => …)</c>.</summary>
public sealed record DurableSidecarOptions
{
    /// <summary>Where the task hub lives: <see cref="SqliteTaskHub"/> (default, embedded) or <see cref="PostgresTaskHub"/>.</summary>
    public TaskHubStore Store { get; set; } = new SqliteTaskHub(Path.Combine("data", "taskhub.db"));

    /// <summary>How long a handed-out work item stays leased without renewal. The sidecar renews leases of outstanding
    /// work items every third of this; a crashed process's work is taken over after it (PostgreSQL).</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest a work-item stream waits before looking for due timers and work another process made.</summary>
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A work item handed out this many times without being completed (abandoned, lease lost, completion not
    /// applicable) is failed with its last reason: the orchestration fails, an activity gets a TaskFailed.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>How many instances' histories are kept in memory, so an episode does not read its history again.</summary>
    public int HistoryCacheSize { get; set; } = 5000;

    /// <summary>The most inbox messages one episode delivers (the rest come with the next one). Large batches matter:
    /// the SDK replays the whole history in every episode, so a fan-in of 10 000 results in batches of 100 would replay
    /// it 100 times.</summary>
    public int MaxNewEventsPerEpisode { get; set; } = 10_000;

    /// <summary>The most bytes of inbox messages one episode delivers, which keeps a work item well under gRPC's default
    /// 4 MB message limit whatever the payloads (a single larger message still goes, alone).</summary>
    public int MaxNewEventBytesPerEpisode { get; set; } = 2 * 1024 * 1024;

    /// <summary>When a work item's past events exceed this many bytes and the worker can stream history, they are not
    /// sent inline: the worker streams them (StreamInstanceHistory), which keeps every message well under gRPC limits.</summary>
    public int HistoryStreamingThresholdBytes { get; set; } = 1024 * 1024;

    /// <summary>How often an idle work-item stream sends a HealthPing (the SDK treats a silent stream as dead after 120 s).</summary>
    public TimeSpan HealthPingInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock for timestamps, timers and leases on SQLite (PostgreSQL uses the database's clock). Tests and
    /// hosts may supply one they move.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Throws when a value cannot work, naming it.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Store, nameof(Store));
        Store.Validate();
        if (LeaseDuration < TimeSpan.FromSeconds(1)) throw new ArgumentOutOfRangeException(nameof(LeaseDuration), LeaseDuration, "The lease duration must be at least 1 s.");
        if (MaxPollingInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(MaxPollingInterval), MaxPollingInterval, "The polling interval must be positive.");
        if (MaxAttempts < 1) throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "At least one attempt is needed.");
        if (HistoryCacheSize < 0) throw new ArgumentOutOfRangeException(nameof(HistoryCacheSize), HistoryCacheSize, "The cache size cannot be negative.");
        if (MaxNewEventBytesPerEpisode < 1024) throw new ArgumentOutOfRangeException(nameof(MaxNewEventBytesPerEpisode), MaxNewEventBytesPerEpisode, "An episode must take at least 1 KB of events.");
        if (MaxNewEventsPerEpisode < 1) throw new ArgumentOutOfRangeException(nameof(MaxNewEventsPerEpisode), MaxNewEventsPerEpisode, "An episode must take at least one event.");
        if (HealthPingInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(HealthPingInterval), HealthPingInterval, "The ping interval must be positive.");
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}

/// <summary>Where a task hub is stored.</summary>
public abstract record TaskHubStore
{
    /// <summary>Throws when the location cannot work.</summary>
    public abstract void Validate();
}

/// <summary>The embedded store: one SQLite file, owned by one process at a time.</summary>
/// <param name="Path">The database file (created with its directory when missing).</param>
public sealed record SqliteTaskHub(string Path) : TaskHubStore
{
    /// <inheritdoc/>
    public override void Validate() => ArgumentException.ThrowIfNullOrWhiteSpace(Path, nameof(Path));
}

/// <summary>The scale-out store: several hosts share one PostgreSQL database; the schema is the task hub.</summary>
/// <param name="ConnectionString">An Npgsql connection string.</param>
/// <param name="Schema">The schema holding the task hub's tables (a plain identifier); task hubs in other schemas are independent.</param>
public sealed record PostgresTaskHub(string ConnectionString, string Schema = "durable") : TaskHubStore
{
    /// <inheritdoc/>
    public override void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ConnectionString, nameof(ConnectionString));
        ArgumentException.ThrowIfNullOrWhiteSpace(Schema, nameof(Schema));
    }
}
