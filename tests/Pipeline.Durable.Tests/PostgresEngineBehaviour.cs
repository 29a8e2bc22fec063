using Pipeline.Durable.Storage;
using Pipeline.Durable.Storage.Postgres;
using Xunit.Abstractions;

namespace Pipeline.Durable.Tests;

/// <summary>
/// The engine suite on the scale-out store, in the assembly's private cluster: each test gets a schema of its own
/// (tables and NOTIFY channel), which isolates tests like a fresh database at a fraction of CREATE DATABASE's cost.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresEngineBehaviour(PostgresClusterFixture postgres, ITestOutputHelper output) : DurableEngineBehaviour(output)
{
    protected override async Task<IOrchestrationStore> CreateStoreAsync(TimeProvider clock)
        => new PostgresOrchestrationStore(await postgres.SharedDatabaseAsync(), clock, schema: postgres.NewSchemaName());
}
