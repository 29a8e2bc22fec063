using Google.Protobuf;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Store.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, written by one thread with group commit, read by many. One process
/// owns the file at a time (an exclusive lock file), so leases left by a crashed process are released at start and its
/// work is handed out again at once. Commits survive a process crash (WAL, synchronous=NORMAL). Times come from the
/// given <see cref="TimeProvider"/>, so tests and hosts can move the clock.
/// </summary>
public sealed partial class SqliteDurableStore : IDurableStore
{
    private readonly string _path;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly string _connectionString;
    private readonly WorkSignal _orchestrationWork = new();
    private readonly WorkSignal _activityWork = new();
    private readonly SemaphoreSlim _probeLock = new(1, 1);
    private SqliteStatements? _probe;
    private SqliteWriter? _writer;
    private FileStream? _ownership;

    /// <summary>A store in the SQLite file at <paramref name="databasePath"/> (created when missing).</summary>
    public SqliteDurableStore(string databasePath, TimeProvider? timeProvider = null, ILogger<SqliteDurableStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        _path = Path.GetFullPath(databasePath);
        _clock = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<SqliteDurableStore>.Instance;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = _path, Pooling = true, DefaultTimeout = 30 }.ToString();
    }

    /// <inheritdoc/>
    public string Kind => "sqlite";

    /// <inheritdoc/>
    public event Action<string>? InstanceChanged;

    private SqliteWriter Writer => _writer ?? throw new InvalidOperationException("The durable store is not initialized (or was closed).");

    private long Now => _clock.GetUtcNow().UtcTicks;

    /// <inheritdoc/>
    public async Task InitializeAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        try
        {
            _ownership = new FileStream(_path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"Another process is already using the durable store '{_path}'. Stop it, or give this " +
                "process its own data directory; to share one task hub between processes use PostgreSQL.", e);
        }
        using (var connection = new SqliteConnection(_connectionString))
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            using (var wal = connection.CreateCommand())
            {
                wal.CommandText = "PRAGMA journal_mode=WAL";
                wal.ExecuteNonQuery();
            }
            SqliteMigrations.Apply(connection, _path);
        }
        _writer = new SqliteWriter(_connectionString, _logger);
        var released = await Writer.WriteAsync(w =>
        {
            // This process owns the file now: whatever an earlier (crashed) process had leased is free again at once.
            var now = Now;
            var instances = w.Execute("UPDATE instances SET lock_token = NULL, lock_expires = NULL WHERE lock_token IS NOT NULL");
            var activities = w.Execute("UPDATE activities SET lock_token = NULL, lock_expires = NULL, visible_at = @now WHERE lock_token IS NOT NULL", ("@now", now));
            return instances + activities;
        }).ConfigureAwait(false);
        if (released > 0) _logger.LogInformation("Durable store {Path}: released {Count} lease(s) left by a previous process.", _path, released);
        _orchestrationWork.Set();
        _activityWork.Set();
    }

    /// <inheritdoc/>
    public Task WaitForWorkAsync(WorkKind kind, TimeSpan maxWait, CancellationToken ct)
        => (kind == WorkKind.Orchestration ? _orchestrationWork : _activityWork).WaitAsync(maxWait, ct);

    /// <inheritdoc/>
    public async Task<StoreHealth> GetHealthAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = await OpenReadAsync(ct).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText =
                "SELECT (SELECT COUNT(*) FROM messages WHERE visible_at <= @now), (SELECT COUNT(*) FROM activities), " +
                "(SELECT COUNT(*) FROM messages WHERE visible_at > @now)";
            command.Parameters.AddWithValue("@now", Now);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            return new StoreHealth(true, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }
        catch (Exception e) when (e is SqliteException or IOException or InvalidOperationException)
        {
            _logger.LogWarning(e, "Durable store {Path} failed its health check.", _path);
            return new StoreHealth(false, 0, 0, 0, e.Message);
        }
    }

    /// <inheritdoc/>
    public async Task<bool> IsIdleAsync(CancellationToken ct)
    {
        await using var connection = await OpenReadAsync(ct).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT EXISTS (SELECT 1 FROM instances WHERE ready_at <= @now) OR EXISTS (SELECT 1 FROM instances WHERE lock_token IS NOT NULL) " +
            "OR EXISTS (SELECT 1 FROM activities WHERE visible_at <= @now) OR EXISTS (SELECT 1 FROM activities WHERE lock_token IS NOT NULL)";
        command.Parameters.AddWithValue("@now", Now);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false)) == 0;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _writer?.Dispose();
        _writer = null;
        // A probe still running finishes first (they take microseconds).
        var probing = _probeLock.Wait(TimeSpan.FromSeconds(10));
        _probe?.Dispose();
        _probe = null;
        if (probing) _probeLock.Release();
        SqliteConnection.ClearAllPools();
        _ownership?.Dispose();
        _ownership = null;
        return ValueTask.CompletedTask;
    }

    private async Task<SqliteConnection> OpenReadAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        return connection;
    }

    private void RaiseChanged(string instanceId)
    {
        try
        {
            InstanceChanged?.Invoke(instanceId);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "A handler of InstanceChanged threw for instance {InstanceId}.", instanceId);
        }
    }

    private static DateTime FromTicks(long ticks) => new(ticks, DateTimeKind.Utc);

    private static long ToTicks(DateTime time) => time.Kind == DateTimeKind.Local ? time.ToUniversalTime().Ticks : time.Ticks;

    private static byte[]? ToBytes(IMessage? message) => message?.ToByteArray();
}
