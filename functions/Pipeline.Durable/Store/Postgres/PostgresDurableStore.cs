using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Durable.Store.Postgres;

/// <summary>
/// The scale-out store: any number of hosts share one PostgreSQL database; the schema is the task hub. Work is claimed
/// with <c>FOR UPDATE SKIP LOCKED</c> under leases, every lease-ending write is guarded by its token, and new work and
/// instance changes are announced with <c>NOTIFY</c> and picked up through <c>LISTEN</c>. Leases, timers and timestamps
/// use the database's clock (<c>clock_timestamp()</c>), so hosts need not agree on the time.
/// </summary>
/// <remarks>
/// Lock order, which keeps concurrent transactions free of deadlocks: a transaction that writes to several instances
/// first locks all their <c>instances</c> rows in one <c>SELECT … ORDER BY instance_id FOR UPDATE</c>; activity rows are
/// locked after instance rows. Deadlocks and serialization failures that slip through are retried.
/// </remarks>
public sealed partial class PostgresDurableStore : IDurableStore
{
    private const int MaxTransientAttempts = 8;
    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger _logger;
    private readonly string _schema;
    private readonly string _s;
    private readonly WorkSignal _orchestrationWork = new();
    private readonly WorkSignal _activityWork = new();
    private readonly PostgresNotifier _notifier;
    private readonly PostgresListener _listener;
    private int _disposed;

    /// <summary>Creates the store; call <see cref="InitializeAsync"/> before use.</summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="schema">The schema holding the task hub (a plain identifier); task hubs in other schemas are independent.</param>
    /// <param name="logger">Where failures are reported.</param>
    public PostgresDurableStore(string connectionString, string schema = "durable", ILogger<PostgresDurableStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        if (!SchemaName().IsMatch(schema))
            throw new ArgumentException("The schema name must be a plain identifier: letters, digits and underscores, at most 48 characters, not starting with a digit.", nameof(schema));
        _schema = schema;
        _s = "\"" + schema + "\"";
        _logger = logger ?? NullLogger<PostgresDurableStore>.Instance;
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // Statements are prepared on the server after their second use: the store runs the same few statements all day.
        // (Behind PgBouncer in transaction mode, put "Max Auto Prepare=0" in the connection string.)
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)) builder.MaxAutoPrepare = 64;
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        var channel = schema + "_taskhub";
        _notifier = new PostgresNotifier(_dataSource, channel, _logger);
        _listener = new PostgresListener(connectionString, channel, _orchestrationWork, _activityWork, RaiseChanged, _logger);
        Sql = new PostgresSql(_s);
    }

    /// <inheritdoc/>
    public string Kind => "postgres";

    /// <summary>The schema holding the task hub.</summary>
    public string Schema => _schema;

    /// <inheritdoc/>
    public event Action<string>? InstanceChanged;

    private PostgresSql Sql { get; }

    /// <inheritdoc/>
    public async Task InitializeAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await using (var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false))
        {
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            // Hosts starting together take turns: CREATE … IF NOT EXISTS is not safe against a concurrent creator.
            await ExecuteAsync(connection, tx, $"SELECT pg_advisory_xact_lock(hashtext('Pipeline.Durable task hub {_schema}'))", ct).ConfigureAwait(false);
            await using (var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = @schema)", connection, tx))
            {
                exists.Parameters.Add(Text("schema", _schema));
                // CREATE SCHEMA checks the CREATE privilege even when the schema exists: skip it then.
                if (!(bool)(await exists.ExecuteScalarAsync(ct).ConfigureAwait(false))!) await ExecuteAsync(connection, tx, $"CREATE SCHEMA {_s}", ct).ConfigureAwait(false);
            }
            await ExecuteAsync(connection, tx, $"CREATE TABLE IF NOT EXISTS {_s}.schema_version (version int NOT NULL)", ct).ConfigureAwait(false);
            int version;
            await using (var read = new NpgsqlCommand($"SELECT COALESCE(MAX(version), 0) FROM {_s}.schema_version", connection, tx))
                version = (int)(await read.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
            var migrations = PostgresMigrations.For(_s);
            if (version > migrations.Length)
                throw new InvalidOperationException($"The task hub schema '{_schema}' has version {version}, newer than this build's {migrations.Length}: run a newer build.");
            for (var next = version + 1; next <= migrations.Length; next++)
            {
                await ExecuteAsync(connection, tx, migrations[next - 1], ct).ConfigureAwait(false);
                await ExecuteAsync(connection, tx, $"DELETE FROM {_s}.schema_version; INSERT INTO {_s}.schema_version VALUES ({next})", ct).ConfigureAwait(false);
                _logger.LogInformation("Task hub schema {Schema}: applied migration {Version}.", _schema, next);
            }
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }
        await _listener.StartAsync(ct).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task WaitForWorkAsync(WorkKind kind, TimeSpan maxWait, CancellationToken ct)
        => (kind == WorkKind.Activity ? _activityWork : _orchestrationWork).WaitAsync(maxWait, ct);

    /// <inheritdoc/>
    public async Task<StoreHealth> GetHealthAsync(CancellationToken ct)
    {
        try
        {
            return await RunAsync(async (connection, ct) =>
            {
                await using var command = new NpgsqlCommand(Sql.Health, connection);
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await reader.ReadAsync(ct).ConfigureAwait(false);
                return new StoreHealth(true, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            }, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            _logger.LogWarning(e, "Task hub {Schema} failed its health check.", _schema);
            return new StoreHealth(false, 0, 0, 0, e.Message);
        }
    }

    /// <inheritdoc/>
    public Task<bool> IsIdleAsync(CancellationToken ct) => RunAsync(async (connection, ct) =>
    {
        await using var command = new NpgsqlCommand(Sql.IsIdle, connection);
        return (bool)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }, ct);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _listener.DisposeAsync().ConfigureAwait(false);
        await _notifier.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
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

    /// <summary>Announces a committed change here and, through NOTIFY, to the other hosts.</summary>
    private void Changed(string instanceId)
    {
        RaiseChanged(instanceId);
        _notifier.InstanceChanged(instanceId);
    }

    private void Wake(WorkKind kind)
    {
        (kind == WorkKind.Activity ? _activityWork : _orchestrationWork).Set();
        _notifier.Work(kind);
    }

    /// <summary>Runs <paramref name="work"/> on a pooled connection; transactions PostgreSQL aborted for a deadlock or a
    /// serialization failure changed nothing and are run again.</summary>
    private async Task<T> RunAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                return await work(connection, ct).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure
                                               && attempt < MaxTransientAttempts)
            {
                _logger.LogDebug(e, "Task hub {Schema}: transaction aborted ({SqlState}), attempt {Attempt}; running it again.", _schema, e.SqlState, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10) * attempt), ct).ConfigureAwait(false);
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter Text(string name, string? value) => new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter Bytes(string name, byte[]? value) => new(name, NpgsqlDbType.Bytea) { Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter Int(string name, int? value) => new(name, NpgsqlDbType.Integer) { Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter Bool(string name, bool value) => new(name, NpgsqlDbType.Boolean) { Value = value };

    private static NpgsqlParameter Time(string name, DateTime? value)
        => new(name, NpgsqlDbType.TimestampTz) { Value = value is { } v ? (object)DateTime.SpecifyKind(v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : v, DateTimeKind.Utc) : DBNull.Value };

    private static NpgsqlParameter Interval(string name, TimeSpan value) => new(name, NpgsqlDbType.Interval) { Value = value };

    private static NpgsqlParameter TextArray(string name, IEnumerable<string?> values) => new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.ToArray() };

    private static NpgsqlParameter BytesArray(string name, IEnumerable<byte[]> values) => new(name, NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = values.ToArray() };

    private static NpgsqlParameter IntArray(string name, IEnumerable<int> values) => new(name, NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = values.ToArray() };

    private static NpgsqlParameter LongArray(string name, IEnumerable<long> values) => new(name, NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = values.ToArray() };

    private static NpgsqlParameter TimeArray(string name, IEnumerable<DateTime?> values)
        => new(name, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = values.Select(v => v is { } t ? (object)DateTime.SpecifyKind(t, DateTimeKind.Utc) : DBNull.Value).ToArray() };

    private static DateTime? NullableTime(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTime>(ordinal);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,47}$")]
    private static partial Regex SchemaName();
}
