using Pipeline.Testing;

namespace Pipeline.Host.Tests.Durable;

/// <summary>host.json for the durable tests: the test app's, with a short probe delay.</summary>
public static class DurableHostJson
{
    /// <summary>
    /// The host.json text; <paramref name="durableExtra"/> adds keys to <c>extensions.durableTask</c>,
    /// <paramref name="publicOrchestrations"/> replaces the orchestrations the management API may start and change.
    /// </summary>
    public static string Create(string durableExtra = "", string publicOrchestrations = "\"HelloSequence\", \"WaitForEvents\"") => $$"""
        {
          "version": "2.0",
          "functionTimeout": "00:02:00",
          "extensions": {
            "http": { "routePrefix": "testapi" },
            "durableTask": {
              "hubName": "testhub",
              "maxConcurrentActivityFunctions": 64,
              "maxPollingInterval": "00:00:00.200",
              {{durableExtra}}
              "managementApi": { "publicOrchestrations": [ {{publicOrchestrations}} ] }
            }
          },
          "pipeline": { "durable": { "nonDurableAwaitProbeDelay": "00:00:01" } }
        }
        """;
}

/// <summary>One host on the default SQLite store, shared by a test class.</summary>
public sealed class SqliteDurableHost : IAsyncLifetime
{
    private HostProcess? _host;

    /// <summary>The client.</summary>
    public DurableClient Client { get; private set; } = null!;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        _host = await HostProcess.StartAsync(DurableHostJson.Create());
        Client = new DurableClient(_host);
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_host is not null) await _host.DisposeAsync();
    }
}

/// <summary>A private PostgreSQL cluster and one host on it (PIPELINE_DURABLE__POSTGRES), shared by a test class.</summary>
public sealed class PostgresDurableHost : IAsyncLifetime
{
    private PostgresCluster? _cluster;
    private HostProcess? _host;

    /// <summary>The client.</summary>
    public DurableClient Client { get; private set; } = null!;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        _cluster = await PostgresCluster.StartAsync();
        var connection = await _cluster.CreateDatabaseAsync("durablehost");
        _host = await HostProcess.StartAsync(DurableHostJson.Create(), new Dictionary<string, string?> { ["PIPELINE_DURABLE__POSTGRES"] = connection });
        Client = new DurableClient(_host);
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_host is not null) await _host.DisposeAsync();
        if (_cluster is not null) await _cluster.DisposeAsync();
    }
}

/// <summary>
/// A private Azurite and one host on it with <c>storageProvider.type azureStorage</c> (Microsoft's engine), shared by a
/// test class. Queues are polled every 0.5 s at most (Microsoft's default is 30 s), so the suite runs in minutes.
/// </summary>
public sealed class AzureStorageDurableHost : IAsyncLifetime
{
    /// <summary>The <c>extensions.durableTask</c> keys that select the provider.</summary>
    public const string StorageProvider = """
        "storageProvider": { "type": "azureStorage", "maxQueuePollingInterval": "00:00:00.500" },
        """;

    private AzuriteEmulator? _azurite;
    private HostProcess? _host;

    /// <summary>The client.</summary>
    public DurableClient Client { get; private set; } = null!;

    /// <summary>The emulator.</summary>
    public AzuriteEmulator Azurite => _azurite!;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        _azurite = await AzuriteEmulator.StartAsync();
        // As on Azure Functions: the connection comes from the AzureWebJobsStorage app setting.
        _host = await HostProcess.StartAsync(DurableHostJson.Create(StorageProvider), new Dictionary<string, string?> { ["AzureWebJobsStorage"] = _azurite.ConnectionString });
        Client = new DurableClient(_host);
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_host is not null) await _host.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
    }
}
