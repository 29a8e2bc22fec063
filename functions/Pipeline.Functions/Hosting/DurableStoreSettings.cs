using Pipeline.Durable.Storage;
using Pipeline.Durable.Storage.Postgres;
using Pipeline.Durable.Storage.Sqlite;

namespace Pipeline.Functions.Hosting;

/// <summary>
/// Which store the durable engine uses. host.json <c>storageProvider</c> gives the default; the environment
/// overrides it: <c>PIPELINE_DURABLE__POSTGRES</c> (a connection string) selects PostgreSQL unless
/// <c>PIPELINE_DURABLE__STORE=sqlite</c>; <c>PIPELINE_DURABLE__STORE</c> names the store outright.
/// </summary>
/// <param name="Kind"><see cref="Sqlite"/> or <see cref="Postgres"/>.</param>
/// <param name="Location">The SQLite file path, or the PostgreSQL connection string.</param>
public sealed record DurableStoreSettings(string Kind, string Location)
{
    /// <summary>The embedded default: one SQLite file under the data dir.</summary>
    public const string Sqlite = "sqlite";

    /// <summary>PostgreSQL, shared by any number of app processes.</summary>
    public const string Postgres = "postgres";

    /// <summary>Configuration key of the PostgreSQL connection string (environment <c>PIPELINE_DURABLE__POSTGRES</c>).</summary>
    public const string PostgresKey = "Durable:Postgres";

    /// <summary>Configuration key naming the store (environment <c>PIPELINE_DURABLE__STORE</c>).</summary>
    public const string StoreKey = "Durable:Store";

    /// <summary>Applies the overrides in <paramref name="configuration"/> to host.json's <paramref name="storageProvider"/>.</summary>
    public static DurableStoreSettings Resolve(StorageProviderOptions storageProvider, IConfiguration configuration, DataDirectory data)
    {
        var postgres = NullIfEmpty(configuration[PostgresKey]);
        var kind = Normalize(NullIfEmpty(configuration[StoreKey]) ?? (postgres is not null ? Postgres : storageProvider.Type));

        return kind switch
        {
            Sqlite => new DurableStoreSettings(Sqlite, data.DurableDatabaseFile),
            Postgres => new DurableStoreSettings(Postgres, postgres ?? NullIfEmpty(storageProvider.ConnectionString)
                ?? throw new InvalidOperationException(
                    "The durable store is PostgreSQL but no connection string is set: set PIPELINE_DURABLE__POSTGRES " +
                    "or extensions.durableTask.storageProvider.connectionString in host.json.")),
            _ => throw new InvalidOperationException(
                $"Unknown durable store \"{kind}\" (from PIPELINE_DURABLE__STORE or host.json storageProvider.type): use \"sqlite\" or \"postgres\"."),
        };
    }

    /// <summary>A new, not yet initialised store. On PostgreSQL the task hub is a schema, so several hubs can share a database.</summary>
    public IOrchestrationStore CreateStore(TimeProvider timeProvider, string hubName) => Kind switch
    {
        Postgres => new PostgresOrchestrationStore(Location, timeProvider, schema: hubName),
        _ => new SqliteOrchestrationStore(Location, timeProvider),
    };

    /// <summary>Where the store is, for logs: the file, or the connection string without its password.</summary>
    public string Describe()
    {
        if (Kind != Postgres) return $"sqlite {Location}";
        try
        {
            var builder = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = Location };
            foreach (var secret in new[] { "Password", "Pwd" }) builder.Remove(secret);
            return $"postgres {builder.ConnectionString}";
        }
        catch (ArgumentException)
        {
            return "postgres (connection string not shown)";
        }
    }

    private static string Normalize(string kind) => kind.Trim().ToLowerInvariant() switch
    {
        "postgresql" or "npgsql" => Postgres,
        var k => k,
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
