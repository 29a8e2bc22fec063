using Npgsql;

namespace Pipeline.Durable.Storage.Postgres;

/// <summary>
/// Tells workers in other processes that there is new work, with <c>NOTIFY</c> sent after the commit that made it.
/// Requests that arrive while one is being sent are merged into the next, so a busy store sends a few
/// notifications per millisecond at most instead of one per commit. A lost notification costs at most one
/// polling interval: workers also poll.
/// </summary>
internal sealed class PostgresNotifier : IAsyncDisposable
{
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(5);
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _channel;
    private readonly SemaphoreSlim _requested = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _orchestrations;
    private int _activities;

    public PostgresNotifier(NpgsqlDataSource dataSource, string channel)
    {
        _dataSource = dataSource;
        _channel = channel;
        _loop = Task.Run(SendAsync);
    }

    /// <summary>Asks for a notification with <paramref name="payload"/> (orchestration or activity work).</summary>
    public void Publish(string payload)
    {
        if (payload == PostgresOrchestrationStore.ActivityPayload) Volatile.Write(ref _activities, 1);
        else Volatile.Write(ref _orchestrations, 1);
        try { _requested.Release(); } catch (SemaphoreFullException) { /* already requested */ }
    }

    private async Task SendAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _requested.WaitAsync(stop).ConfigureAwait(false);
                var orchestrations = Interlocked.Exchange(ref _orchestrations, 0) == 1;
                var activities = Interlocked.Exchange(ref _activities, 0) == 1;
                if (!orchestrations && !activities) continue;
                await using var command = _dataSource.CreateCommand(
                    (orchestrations, activities) switch
                    {
                        (true, true) => "SELECT pg_notify(@channel, 'o'), pg_notify(@channel, 'a')",
                        (true, false) => "SELECT pg_notify(@channel, 'o')",
                        _ => "SELECT pg_notify(@channel, 'a')",
                    });
                command.Parameters.AddWithValue("channel", _channel);
                await command.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                // At most one notification per few milliseconds: each one wakes every worker of every other process,
                // and a wake-up that finds nothing to take is a wasted query on the database.
                await Task.Delay(MinInterval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception)
            {
                // The database is unreachable for now; workers fall back to polling. Try again on the next request.
                try { await Task.Delay(TimeSpan.FromMilliseconds(200), stop).ConfigureAwait(false); } catch (OperationCanceledException) { break; }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await _loop.ConfigureAwait(false); } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
