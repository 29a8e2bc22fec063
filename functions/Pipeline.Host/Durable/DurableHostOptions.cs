using System.Globalization;
using System.Text.RegularExpressions;
using Pipeline.Host.Hosting;

namespace Pipeline.Host.Durable;

/// <summary>
/// host.json <c>extensions.durableTask</c>, as Microsoft's Durable Functions extension reads it, plus what this host
/// adds (<c>maxWorkItemAttempts</c>, <c>managementApi.publicOrchestrations</c>). The store is chosen by
/// <c>storageProvider.type</c> and overridden by <c>PIPELINE_DURABLE__STORE</c> / <c>PIPELINE_DURABLE__POSTGRES</c>
/// (see <see cref="Read"/>). Read once at start; a wrong value stops the host naming the key.
/// </summary>
public sealed partial record DurableHostOptions
{
    /// <summary>The host.json section.</summary>
    public const string Section = "extensions:durableTask";

    /// <summary>Configuration key of the PostgreSQL connection string override (environment <c>PIPELINE_DURABLE__POSTGRES</c>).</summary>
    public const string PostgresKey = "pipeline:durable:postgres";

    /// <summary>Configuration key of the store override (environment <c>PIPELINE_DURABLE__STORE</c>).</summary>
    public const string StoreKey = "pipeline:durable:store";

    /// <summary>The app setting Microsoft's extension reads for <c>azureStorage</c> when no connection is named.</summary>
    public const string DefaultStorageConnectionName = "AzureWebJobsStorage";

    /// <summary>The SQLite file in the data directory (the name the app's old engine used).</summary>
    public const string SqliteFileName = "durable.db";

    /// <summary><c>hubName</c>: the task hub (the PostgreSQL schema; the Azure Storage table/queue prefix).</summary>
    public string HubName { get; init; } = "pipeline";

    /// <summary>The store, after the environment overrides.</summary>
    public DurableStoreKind Store { get; init; } = DurableStoreKind.Sqlite;

    /// <summary>SQLite: the database file; PostgreSQL and Azure Storage: the connection string.</summary>
    public string Location { get; init; } = "";

    /// <summary><c>maxConcurrentOrchestratorFunctions</c>: orchestrator episodes running at once in the worker.</summary>
    public int MaxConcurrentOrchestratorFunctions { get; init; } = 10 * Environment.ProcessorCount;

    /// <summary><c>maxConcurrentActivityFunctions</c>: activities running at once in the worker.</summary>
    public int MaxConcurrentActivityFunctions { get; init; } = 10 * Environment.ProcessorCount;

    /// <summary><c>leaseDuration</c> (ours: the store's work-item lease).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>maxPollingInterval</c> (Azure Storage: <c>maxQueuePollingInterval</c>).</summary>
    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary><c>storageProvider.partitionCount</c> (azureStorage only): the task hub's control queues, 1 to 16, fixed
    /// when the hub is created.</summary>
    public int PartitionCount { get; init; } = 4;

    /// <summary><c>maxWorkItemAttempts</c>: a work item handed out this many times without completing is failed.</summary>
    public int MaxWorkItemAttempts { get; init; } = 10;

    /// <summary>
    /// <c>managementApi.publicOrchestrations</c>: the orchestrations that <c>POST /api/orchestrators/{name}</c> may start
    /// and whose instances the management routes may signal, terminate, suspend, resume, rewind or purge.
    /// </summary>
    public IReadOnlySet<string> PublicOrchestrations { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// <c>pipeline.durable.nonDurableAwaitProbeDelay</c>: how long an orchestration may sit idle with nothing durable
    /// outstanding before the host wakes it once with the probe event (see README, "Non-durable awaits"). Zero turns it off.
    /// </summary>
    public TimeSpan NonDurableAwaitProbeDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>True when <paramref name="name"/> is a public orchestration (case-insensitive, as function names).</summary>
    public bool IsPublic(string? name) => name is not null && PublicOrchestrations.Contains(name);

    /// <summary>Where the store is, for logs and the host status: the file, or the connection string without secrets.</summary>
    public string DescribeLocation()
    {
        if (Store == DurableStoreKind.Sqlite) return Location;
        try
        {
            var builder = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = Location };
            foreach (var secret in new[] { "Password", "Pwd", "AccountKey", "SharedAccessSignature" }) builder.Remove(secret);
            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(connection string not shown)";
        }
    }

    /// <summary>
    /// Reads the options. The store: <c>PIPELINE_DURABLE__STORE</c> names it outright; otherwise
    /// <c>PIPELINE_DURABLE__POSTGRES</c> (a connection string) selects PostgreSQL; otherwise host.json's
    /// <c>storageProvider.type</c> (default <c>sqlite</c>). Connection strings: the PostgreSQL override, else
    /// <c>storageProvider.connectionString</c>, else the setting named by <c>storageProvider.connectionStringName</c>
    /// (<c>connectionName</c>), else for <c>azureStorage</c> the <c>AzureWebJobsStorage</c> setting.
    /// Throws <see cref="InvalidOperationException"/> naming the key when a value is wrong.
    /// </summary>
    public static DurableHostOptions Read(IConfiguration configuration, DataDirectory data)
    {
        var section = configuration.GetSection(Section);
        var errors = new List<string>();

        var hub = Text(section["hubName"]) ?? "pipeline";
        if (!HubNamePattern().IsMatch(hub)) errors.Add($"extensions.durableTask.hubName '{hub}' must be 3 to 45 letters and digits, starting with a letter.");

        var provider = section.GetSection("storageProvider");
        var postgresOverride = Text(configuration[PostgresKey]);
        var kindText = Text(configuration[StoreKey]) ?? (postgresOverride is not null ? "postgres" : Text(provider["type"]) ?? "sqlite");
        DurableStoreKind? kind = kindText.ToLowerInvariant() switch
        {
            "sqlite" => DurableStoreKind.Sqlite,
            "postgres" or "postgresql" or "npgsql" => DurableStoreKind.Postgres,
            "azurestorage" or "azure_storage" => DurableStoreKind.AzureStorage,
            _ => null,
        };
        var location = "";
        if (kind is null)
        {
            errors.Add($"The durable store '{kindText}' (PIPELINE_DURABLE__STORE or extensions.durableTask.storageProvider.type) is unknown: use \"sqlite\", \"postgres\" or \"azureStorage\".");
        }
        else if (kind == DurableStoreKind.Sqlite)
        {
            location = Path.Combine(data.Path, SqliteFileName);
        }
        else
        {
            var connectionName = Text(provider["connectionStringName"]) ?? Text(provider["connectionName"]);
            var connection = (kind == DurableStoreKind.Postgres ? postgresOverride : null)
                ?? Text(provider["connectionString"])
                ?? (connectionName is not null ? Text(configuration[connectionName]) ?? Text(configuration.GetConnectionString(connectionName)) : null)
                ?? (kind == DurableStoreKind.AzureStorage ? Text(configuration[DefaultStorageConnectionName]) : null);
            if (connection is null)
            {
                errors.Add(kind == DurableStoreKind.Postgres
                    ? "The durable store is PostgreSQL but no connection string is set: set PIPELINE_DURABLE__POSTGRES or extensions.durableTask.storageProvider.connectionString in host.json."
                    : $"The durable store is azureStorage but no connection string is set: set the {connectionName ?? DefaultStorageConnectionName} environment variable (e.g. UseDevelopmentStorage=true for Azurite) or extensions.durableTask.storageProvider.connectionString.");
            }
            location = connection ?? "";
        }

        var options = new DurableHostOptions
        {
            HubName = hub,
            Store = kind ?? DurableStoreKind.Sqlite,
            Location = location,
            MaxConcurrentOrchestratorFunctions = Int(section, "maxConcurrentOrchestratorFunctions", 10 * Environment.ProcessorCount, 1, 10_000, errors),
            MaxConcurrentActivityFunctions = Int(section, "maxConcurrentActivityFunctions", 10 * Environment.ProcessorCount, 1, 10_000, errors),
            LeaseDuration = Time(section, "leaseDuration", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), errors),
            // Microsoft's azureStorage provider calls it storageProvider.maxQueuePollingInterval; either key is read.
            MaxPollingInterval = TimeOrNull(provider, "maxQueuePollingInterval", TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10), errors, "extensions.durableTask.storageProvider")
                ?? Time(section, "maxPollingInterval", TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10), errors),
            PartitionCount = Int(provider, "partitionCount", 4, 1, 16, errors, "extensions.durableTask.storageProvider"),
            MaxWorkItemAttempts = Int(section, "maxWorkItemAttempts", 10, 1, 1000, errors),
            PublicOrchestrations = section.GetSection("managementApi:publicOrchestrations").GetChildren()
                .Select(c => Text(c.Value)).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase),
            NonDurableAwaitProbeDelay = Time(configuration.GetSection("pipeline:durable"), "nonDurableAwaitProbeDelay", TimeSpan.FromSeconds(5), TimeSpan.Zero, TimeSpan.FromDays(1), errors, "pipeline.durable"),
        };
        if (errors.Count > 0) throw new InvalidOperationException(string.Join(" ", errors));
        return options;
    }

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static int Int(IConfigurationSection section, string key, int fallback, int min, int max, List<string> errors, string prefix = "extensions.durableTask")
    {
        var text = Text(section[key]);
        if (text is null) return fallback;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        errors.Add($"{prefix}.{key} '{text}' must be a whole number from {min} to {max}.");
        return fallback;
    }

    private static TimeSpan Time(IConfigurationSection section, string key, TimeSpan fallback, TimeSpan min, TimeSpan max, List<string> errors, string prefix = "extensions.durableTask")
        => TimeOrNull(section, key, min, max, errors, prefix) ?? fallback;

    /// <summary>The time span at <paramref name="key"/>, or null when absent (or wrong: then an error is added).</summary>
    private static TimeSpan? TimeOrNull(IConfigurationSection section, string key, TimeSpan min, TimeSpan max, List<string> errors, string prefix)
    {
        var text = Text(section[key]);
        if (text is null) return null;
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        errors.Add($"{prefix}.{key} '{text}' must be a time span from {min:c} to {max:c}, like \"00:00:30\".");
        return null;
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,44}$")]
    private static partial Regex HubNamePattern();
}

/// <summary>Where the task hub lives.</summary>
public enum DurableStoreKind
{
    /// <summary>Our sidecar on one SQLite file (the default).</summary>
    Sqlite,

    /// <summary>Our sidecar on PostgreSQL (several hosts may share it).</summary>
    Postgres,

    /// <summary>Microsoft's DurableTask.AzureStorage provider behind TaskHubGrpcServer (Azure Storage or Azurite).</summary>
    AzureStorage,
}
