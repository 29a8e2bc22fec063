using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Pipeline.Durable.Storage.Sqlite;

/// <summary>
/// The store's only writer: one connection on one thread. Writes queued while a transaction runs are
/// committed together in the next one (group commit); if one of them throws, the batch is undone and each
/// is retried alone, so one failing write never takes the others down. Operations must therefore only
/// touch the database and their own locals. This is what lets a single SQLite file keep up with many workers.
/// </summary>
public sealed class SqliteWriter : IDisposable
{
    private const int MaxBatch = 256;
    private readonly SqliteConnection _connection;
    private readonly Channel<WriteOperation> _queue = Channel.CreateUnbounded<WriteOperation>(new() { SingleReader = true });
    private readonly Dictionary<string, SqliteCommand> _commands = new();
    private readonly Thread _thread;

    public SqliteWriter(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        // WAL with synchronous=NORMAL: a commit survives a process crash; only an OS crash may lose the last commits.
        Execute("PRAGMA synchronous=NORMAL");
        Execute("PRAGMA temp_store=MEMORY");
        _thread = new Thread(Run) { IsBackground = true, Name = "pipeline-sqlite-writer" };
        _thread.Start();
    }

    /// <summary>Runs <paramref name="work"/> in the next write transaction; the task completes after the commit.</summary>
    public Task<T> WriteAsync<T>(Func<SqliteWriter, T> work)
    {
        var operation = new WriteOperation<T>(work);
        if (!_queue.Writer.TryWrite(operation)) throw new ObjectDisposedException(nameof(SqliteWriter), "The durable store is closed.");
        return operation.Completion.Task;
    }

    /// <summary>Executes a statement with named parameters; returns rows changed.</summary>
    public int Execute(string sql, params (string Name, object? Value)[] parameters) => Prepare(sql, parameters).ExecuteNonQuery();

    /// <summary>Runs a query with named parameters.</summary>
    public SqliteDataReader Query(string sql, params (string Name, object? Value)[] parameters) => Prepare(sql, parameters).ExecuteReader();

    /// <summary>Runs a query that returns one value (or null).</summary>
    public object? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        var value = Prepare(sql, parameters).ExecuteScalar();
        return value is DBNull ? null : value;
    }

    // Statements are prepared once and reused: parsing SQL again for every write would cost more than the write.
    private SqliteCommand Prepare(string sql, (string Name, object? Value)[] parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = _connection.CreateCommand();
            command.CommandText = sql;
            _commands[sql] = command;
        }
        foreach (var (name, value) in parameters)
        {
            var parameter = command.Parameters.Contains(name) ? command.Parameters[name] : command.Parameters.Add(new SqliteParameter { ParameterName = name });
            parameter.Value = value ?? DBNull.Value;
        }
        return command;
    }

    private void Run()
    {
        var reader = _queue.Reader;
        var batch = new List<WriteOperation>(MaxBatch);
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var operation)) batch.Add(operation);
            var t0 = System.Diagnostics.Stopwatch.GetTimestamp(); Batches++; Ops += batch.Count;
            if (!TryCommitTogether(batch))
            {
                // One of them threw: undo the batch and give each its own transaction, so only that one fails.
                foreach (var operation in batch) CommitAlone(operation);
            }
            batch.Clear();
            BusyTicks += System.Diagnostics.Stopwatch.GetTimestamp() - t0;
        }
    }
    public static long BusyTicks, Batches, Ops;

    private bool TryCommitTogether(List<WriteOperation> batch)
    {
        try
        {
            Execute("BEGIN IMMEDIATE");
            foreach (var operation in batch) operation.Run(this);
            Execute("COMMIT");
        }
        catch (Exception ex)
        {
            Rollback();
            if (batch.Count > 1) return false;
            batch[0].Fail(ex);
            return true;
        }
        foreach (var operation in batch) operation.Finish();
        return true;
    }

    private void CommitAlone(WriteOperation operation)
    {
        try
        {
            Execute("BEGIN IMMEDIATE");
            operation.Run(this);
            Execute("COMMIT");
            operation.Finish();
        }
        catch (Exception ex)
        {
            Rollback();
            operation.Fail(ex);
        }
    }

    private void Rollback()
    {
        try { Execute("ROLLBACK"); } catch (SqliteException) { /* nothing was open */ }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _thread.Join(TimeSpan.FromSeconds(10));
        foreach (var command in _commands.Values) command.Dispose();
        _connection.Dispose();
    }

    private abstract class WriteOperation
    {
        public abstract void Run(SqliteWriter writer);
        public abstract void Finish();
        public abstract void Fail(Exception error);
    }

    private sealed class WriteOperation<T>(Func<SqliteWriter, T> work) : WriteOperation
    {
        private T _result = default!;

        // Continuations must not run on the writer thread, or one slow caller would stall every write.
        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Run(SqliteWriter writer) => _result = work(writer);

        public override void Finish() => Completion.TrySetResult(_result);

        public override void Fail(Exception error) => Completion.TrySetException(error);
    }
}
