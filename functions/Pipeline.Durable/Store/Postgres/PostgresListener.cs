using Microsoft.Extensions.Logging;
using Npgsql;

namespace Pipeline.Durable.Store.Postgres;

/// <summary>
/// Keeps one dedicated connection in <c>LISTEN</c> on the task hub's channel and turns notifications into wake-ups and
/// instance-change events. Reconnects with backoff when the connection fails (logged); after every (re)connect both kinds
/// of work are signalled, since notifications sent while not listening are gone.
/// </summary>
internal sealed class PostgresListener : IAsyncDisposable
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _channel;
    private readonly string _listenCommand;
    private readonly WorkSignal _orchestrations;
    private readonly WorkSignal _activities;
    private readonly Action<string> _instanceChanged;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstListen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;

    public PostgresListener(string connectionString, string channel, WorkSignal orchestrations, WorkSignal activities, Action<string> instanceChanged, ILogger logger)
    {
        // Its own unpooled connection: LISTEN is per session, and a pooled connection is reset (UNLISTEN) on return.
        // Keepalive: a silently dropped TCP connection would otherwise leave the wait hanging forever.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Multiplexing = false, KeepAlive = 10 };
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        _channel = channel;
        _listenCommand = $"LISTEN \"{channel}\"";
        _orchestrations = orchestrations;
        _activities = activities;
        _instanceChanged = instanceChanged;
        _logger = logger;
    }

    /// <summary>Starts listening; completes when the first LISTEN succeeded and throws if it failed (retries go on).</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        _loop ??= Task.Run(RunAsync, CancellationToken.None);
        await _firstListen.Task.WaitAsync(ct).ConfigureAwait(false);
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
                await using (var listen = new NpgsqlCommand(_listenCommand, connection))
                {
                    await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                }
                if (backoff > MinBackoff) _logger.LogInformation("Listening on {Channel} again.", _channel);
                _firstListen.TrySetResult();
                backoff = MinBackoff;
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
                if (_firstListen.TrySetException(e)) _ = _firstListen.Task.Exception; // observed here; StartAsync rethrows it
                _logger.LogWarning(e, "LISTEN on {Channel} failed; polling until it reconnects (next try in {Backoff}).", _channel, backoff);
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
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (e.Channel != _channel) return;
        if (e.Payload == PostgresNotifier.ActivityPayload) _activities.Set();
        else if (e.Payload == PostgresNotifier.OrchestrationPayload) _orchestrations.Set();
        else if (e.Payload.StartsWith(PostgresNotifier.InstancePrefix, StringComparison.Ordinal))
        {
            foreach (var id in e.Payload.Split('\n').Skip(1)) _instanceChanged(id);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
