using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Pipeline.Durable.Store.Sqlite;

/// <summary>
/// The store's only writer: one connection on one thread. Operations queued while a transaction runs are committed
/// together in the next one (group commit), which is what lets one SQLite file keep up with many concurrent episodes.
/// An operation that throws fails alone: the transaction is rolled back and the rest of the batch runs again without
/// it. Operations must therefore only touch the database and their own locals (running one again after a rollback
/// must be the same as running it once), and report expected outcomes as results (an exception is a failure).
/// </summary>
internal sealed class SqliteWriter : IDisposable
{
    private const int MaxBatch = 256;
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromMilliseconds(250);

    private readonly ILogger _logger;
    private readonly Channel<WriteOperation> _queue = Channel.CreateUnbounded<WriteOperation>(new() { SingleReader = true });
    private readonly SqliteStatements _statements;
    private readonly Thread _thread;
    private readonly Thread _checkpointer;
    private readonly ManualResetEventSlim _closed = new();
    private readonly string _connectionString;
    private bool _finishCheckpoint;

    public SqliteWriter(string connectionString, ILogger logger)
    {
        _connectionString = connectionString;
        _logger = logger;
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        _statements = new SqliteStatements(connection);
        // WAL with synchronous=NORMAL: a commit survives a process crash; only an OS crash may lose the last commits.
        Execute("PRAGMA synchronous=NORMAL");
        // Checkpoints run on their own thread so commits never wait for one (and many commits of the same hot pages
        // coalesce into one checkpoint).
        Execute("PRAGMA wal_autocheckpoint=0");
        Execute("PRAGMA journal_size_limit=67108864");
        Execute("PRAGMA temp_store=MEMORY");
        _thread = new Thread(Run) { IsBackground = true, Name = "durable-sqlite-writer" };
        _thread.Start();
        _checkpointer = new Thread(Checkpoint) { IsBackground = true, Name = "durable-sqlite-checkpoint" };
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
    public int Execute(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters) => _statements.Prepare(sql, parameters).ExecuteNonQuery();

    /// <summary>Runs a query with named parameters.</summary>
    public SqliteDataReader Query(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters) => _statements.Prepare(sql, parameters).ExecuteReader();

    /// <summary>Runs a query that returns one value (or null).</summary>
    public object? Scalar(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var value = _statements.Prepare(sql, parameters).ExecuteScalar();
        return value is DBNull ? null : value;
    }

    private void Run()
    {
        var reader = _queue.Reader;
        var batch = new List<WriteOperation>(MaxBatch);
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var operation)) batch.Add(operation);
            CommitBatch(batch);
            batch.Clear();
            if (Volatile.Read(ref _finishCheckpoint))
            {
                _finishCheckpoint = false;
                TryExecute("PRAGMA wal_checkpoint(PASSIVE)", "finishing a checkpoint");
            }
        }
    }

    private void CommitBatch(List<WriteOperation> batch)
    {
        // No savepoint per operation (two more statements for each): when one throws, the whole transaction is rolled
        // back, that operation fails alone, and the others run again in a fresh one. That is safe because operations
        // touch only the database and their own locals, so running one again after a rollback is running it once.
        var pending = batch;
        while (pending.Count > 0)
        {
            if (TryCommit(pending) is not { } failed) return;
            pending = pending.Where(operation => operation != failed).ToList();
        }
    }

    /// <summary>Runs and commits <paramref name="batch"/>; returns the operation that threw (after rolling back), else null.</summary>
    private WriteOperation? TryCommit(List<WriteOperation> batch)
    {
        try
        {
            Execute("BEGIN IMMEDIATE");
        }
        catch (Exception e)
        {
            _logger.LogError(e, "The durable store could not begin a write transaction; {Count} write(s) failed.", batch.Count);
            foreach (var operation in batch) operation.Fail(e);
            return null;
        }
        foreach (var operation in batch)
        {
            try
            {
                operation.Run(this);
            }
            catch (Exception e)
            {
                // The caller gets the exception (and logs it in context); the rest of the batch runs again without it.
                TryExecute("ROLLBACK", "rolling back after a failed write");
                operation.Fail(e);
                return operation;
            }
        }
        try
        {
            Execute("COMMIT");
        }
        catch (Exception e)
        {
            _logger.LogError(e, "The durable store could not commit a write transaction; {Count} write(s) failed.", batch.Count);
            TryExecute("ROLLBACK", "rolling back a failed commit");
            foreach (var operation in batch) operation.Fail(e);
            return null;
        }
        foreach (var operation in batch) operation.Finish();
        return null;
    }

    private void TryExecute(string sql, string what)
    {
        try
        {
            Execute(sql);
        }
        catch (SqliteException e)
        {
            _logger.LogWarning(e, "The durable store failed {What}.", what);
        }
    }

    private void Checkpoint()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        while (!_closed.Wait(CheckpointInterval))
        {
            try
            {
                // A passive checkpoint copies most of the log without ever blocking the writer, and the writer copies
                // the few frames committed meanwhile, so its next transaction rewinds the log: a log that only grows
                // would make every commit allocate new file blocks.
                command.ExecuteNonQuery();
                Volatile.Write(ref _finishCheckpoint, true);
            }
            catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6)
            {
                // SQLITE_BUSY / SQLITE_LOCKED: try again next round.
            }
            catch (SqliteException e)
            {
                _logger.LogWarning(e, "The durable store's background checkpoint failed; it is retried.");
            }
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        if (!_thread.Join(TimeSpan.FromSeconds(10))) _logger.LogWarning("The durable store's writer did not finish its queue within 10 s.");
        _closed.Set();
        _checkpointer.Join(TimeSpan.FromSeconds(10));
        TryExecute("PRAGMA wal_checkpoint(TRUNCATE)", "the final checkpoint");
        _statements.Dispose();
        _closed.Dispose();
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
