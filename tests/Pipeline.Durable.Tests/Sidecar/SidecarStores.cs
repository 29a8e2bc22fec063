namespace Pipeline.Durable.Tests.Sidecar;

using Pipeline.Durable.Sidecar;
using Pipeline.Testing;

/// <summary>Where a test's task hub lives: a fresh SQLite file, or a fresh schema in the assembly's PostgreSQL cluster.</summary>
public interface ISidecarStoreSource
{
    /// <summary>"sqlite" or "postgres".</summary>
    string Kind { get; }

    /// <summary>A new, empty task hub.</summary>
    Task<TaskHubStore> NewTaskHubAsync();
}

/// <summary>Fresh SQLite files in a temp directory deleted at the end.</summary>
public sealed class SqliteStoreSource : ISidecarStoreSource, IDisposable
{
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("pipeline-sidecar-tests-").FullName;
    private int _files;

    public string Kind => "sqlite";

    public string Directory => _directory;

    public Task<TaskHubStore> NewTaskHubAsync()
        => Task.FromResult<TaskHubStore>(new SqliteTaskHub(Path.Combine(_directory, $"taskhub-{Interlocked.Increment(ref _files)}.db")));

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a process being torn down; the temp directory is cleaned by the OS.
        }
    }
}

/// <summary>Fresh schemas (task hubs) in one database of the assembly's private cluster.</summary>
public sealed class PostgresStoreSource(PostgresClusterFixture postgres) : ISidecarStoreSource
{
    public string Kind => "postgres";

    public async Task<TaskHubStore> NewTaskHubAsync() => new PostgresTaskHub(await postgres.SharedDatabaseAsync(), postgres.NewSchemaName());
}
