using Pipeline.Durable.Storage;
using Pipeline.Durable.Storage.Sqlite;
using Xunit.Abstractions;

namespace Pipeline.Durable.Tests;

/// <summary>The engine suite on the embedded store: a fresh SQLite file per test.</summary>
public sealed class SqliteEngineBehaviour(ITestOutputHelper output) : DurableEngineBehaviour(output), IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pipeline-durable-tests-").FullName;

    protected override Task<IOrchestrationStore> CreateStoreAsync(TimeProvider clock)
        => Task.FromResult<IOrchestrationStore>(new SqliteOrchestrationStore(Path.Combine(_directory, "durable.db"), clock));

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
