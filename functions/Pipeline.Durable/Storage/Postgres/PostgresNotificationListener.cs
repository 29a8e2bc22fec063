using Npgsql;

namespace Pipeline.Durable.Storage.Postgres;

/// <summary>
/// Keeps one dedicated connection in <c>LISTEN</c> on the store's channel and turns notifications into
/// <see cref="WorkSignal"/>s. Reconnects with backoff when the connection fails; after every (re)connect both
/// kinds are signalled, since notifications sent while not listening are gone.
/// </summary>
internal sealed class PostgresNotificationListener : IAsyncDisposable
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _channel;
    private readonly string _listenChannel;
    private readonly WorkSignal _orchestrations;
    private readonly WorkSignal _activities;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private Task? _loop;
    private volatile bool _listening;

    public PostgresNotificationListener(string connectionString, string channel, string listenChannel, WorkSignal orchestrations, WorkSignal activities)
    {
        // Its own unpooled connection: LISTEN is per session, a pooled connection would be reset (UNLISTEN) on return.
        // Keepalive: a silently dropped TCP connection would otherwise leave WaitAsync waiting forever.
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            Multiplexing = false,
            KeepAlive = 10,
        };
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        _channel = channel;
        _listenChannel = listenChannel;
        _orchestrations = orchestrations;
        _activities = activities;
    }

    /// <summary>Starts listening; completes when the first LISTEN succeeded, throws when it failed (retries continue in the background).</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            _loop ??= Task.Run(RunAsync, CancellationToken.None);
        }
        if (_listening) return;
        await _firstAttempt.Task.WaitAsync(ct).ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var backoff = MinBackoff;
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(stop).ConfigureAwait(false);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {_listenChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                }
                _listening = true;
                _firstAttempt.TrySetResult();
                backoff = MinBackoff;
                // Whatever was notified while we were not listening is lost: have the workers look once.
                _orchestrations.Set();
                _activities.Set();
                while (true) await connection.WaitAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                _listening = false;
                if (_firstAttempt.TrySetException(e)) _ = _firstAttempt.Task.Exception; // observed: callers may not wait for it
                try
                {
                    await Task.Delay(backoff, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
            }
        }
        _listening = false;
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (e.Channel != _channel) return;
        if (e.Payload == PostgresOrchestrationStore.ActivityPayload) _activities.Set();
        else _orchestrations.Set();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        Task? loop;
        lock (_gate) loop = _loop;
        if (loop is not null)
        {
            try { await loop.ConfigureAwait(false); } catch (Exception) { /* stopping */ }
        }
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
