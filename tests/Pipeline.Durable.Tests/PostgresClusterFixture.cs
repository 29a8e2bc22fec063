using Pipeline.Testing;

namespace Pipeline.Durable.Tests;

/// <summary>
/// One private PostgreSQL cluster for every PostgreSQL test in the assembly (starting one costs seconds);
/// each test gets a fresh database in it, so tests never see each other's instances.
/// </summary>
public sealed class PostgresClusterFixture : IAsyncLifetime
{
    private PostgresCluster? _cluster;
    private int _databases;

    public PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not started.");

    // No binaries is a failure, not a skip: StartAsync throws saying how to install them (test.sh does).
    public async Task InitializeAsync() => _cluster = await PostgresCluster.StartAsync();

    private readonly SemaphoreSlim _sharedGate = new(1, 1);
    private string? _shared;
    private int _schemas;

    /// <summary>One database for tests that isolate themselves by schema (<see cref="NewSchemaName"/>); created on first use.</summary>
    public async Task<string> SharedDatabaseAsync()
    {
        await _sharedGate.WaitAsync();
        try
        {
            return _shared ??= await Cluster.CreateDatabaseAsync("shared");
        }
        finally
        {
            _sharedGate.Release();
        }
    }

    /// <summary>A schema name no other test uses.</summary>
    public string NewSchemaName() => $"test_{Interlocked.Increment(ref _schemas)}";

    /// <summary>A new, empty database; returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync(string purpose)
        => Cluster.CreateDatabaseAsync($"{purpose.ToLowerInvariant()}_{Interlocked.Increment(ref _databases)}");

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
    }
}

/// <summary>Test classes that share the assembly's PostgreSQL cluster; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresClusterFixture>
{
    public const string Name = "PostgreSQL cluster";
}
