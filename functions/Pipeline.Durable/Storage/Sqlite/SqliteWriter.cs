using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Pipeline.Durable.Storage.Sqlite;

/// <summary>
/// The store's only writer: one connection on one thread. Writes queued while a transaction runs are
/// committed together in the next one (group commit); if one of them throws, the batch is undone and each
/// is retried alone, so one failing write never takes the others down. Operations must therefore only
/// touch the database and their own locals. This is what lets a single SQLite file keep up with many workers.
/// </summary>
internal sealed class SqliteWriter : IDisposable
{
    private const int MaxBatch = 256;
    private readonly SqliteConnection _connection;
    private readonly Channel<WriteOperation> _queue = Channel.CreateUnbounded<WriteOperation>(new() { SingleReader = true });
    private readonly Dictionary<string, SqliteCommand> _commands = new();
    private readonly Thread _thread;
    private readonly Thread _checkpointer;
    private readonly ManualResetEventSlim _closed = new();
    private bool _finishCheckpoint;

    public SqliteWriter(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        // WAL with synchronous=NORMAL: a commit survives a process crash; only an OS crash may lose the last commits.
        Execute("PRAGMA synchronous=NORMAL");
        // Checkpoints (copying the WAL back into the database, with fsync) run on their own thread, so commits
        // never wait for one; coalescing many commits of the same hot pages into one checkpoint also saves work.
        Execute("PRAGMA wal_autocheckpoint=0");
        Execute("PRAGMA journal_size_limit=67108864");
        Execute("PRAGMA temp_store=MEMORY");
        _thread = new Thread(Run) { IsBackground = true, Name = "pipeline-sqlite-writer" };
        _thread.Start();
        _checkpointer = new Thread(() => Checkpoint(connectionString)) { IsBackground = true, Name = "pipeline-sqlite-checkpoint" };
        _checkpointer.Start();
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
            if (!TryCommitTogether(batch))
            {
                // One of them threw: undo the batch and give each its own transaction, so only that one fails.
                foreach (var operation in batch) CommitAlone(operation);
            }
            batch.Clear();
            if (Volatile.Read(ref _finishCheckpoint))
            {
                _finishCheckpoint = false;
                try { Execute("PRAGMA wal_checkpoint(PASSIVE)"); } catch (SqliteException) { }
            }
        }
    }

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

    private void Checkpoint(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        while (!_closed.Wait(TimeSpan.FromMilliseconds(250)))
        {
            try
            {
                // A passive checkpoint copies most of the log without ever blocking the writer...
                command.ExecuteNonQuery();
                // ...and the writer copies the few frames committed meanwhile, so its next transaction
                // rewinds the log. A log that only grows would make every commit allocate new file blocks.
                Volatile.Write(ref _finishCheckpoint, true);
            }
            catch (SqliteException)
            {
                // Busy: try again next round.
            }
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _thread.Join(TimeSpan.FromSeconds(10));
        _closed.Set();
        _checkpointer.Join(TimeSpan.FromSeconds(10));
        try { Execute("PRAGMA wal_checkpoint(TRUNCATE)"); } catch (SqliteException) { }
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
