using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Pipeline.Durable.Store.Postgres;

/// <summary>
/// Tells other hosts about new work and instance changes with <c>NOTIFY</c>, sent after the commit that made them.
/// Requests that arrive while one is being sent are merged into the next, so a busy store sends a few notifications per
/// millisecond at most instead of one per commit (a NOTIFY inside each transaction would serialize every commit on the
/// notification queue's lock). A lost notification costs one polling interval: loops and waits also poll.
/// </summary>
internal sealed class PostgresNotifier : IAsyncDisposable
{
    public const string OrchestrationPayload = "o";
    public const string ActivityPayload = "a";
    public const string InstancePrefix = "i";
    private const int MaxPayloadBytes = 7000; // PostgreSQL's limit is 8000 bytes
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _channel;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _requested = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _instances = new();
    private readonly Task _loop;
    private int _orchestrations;
    private int _activities;

    public PostgresNotifier(NpgsqlDataSource dataSource, string channel, ILogger logger)
    {
        _dataSource = dataSource;
        _channel = channel;
        _logger = logger;
        _loop = Task.Run(SendAsync);
    }

    public void Work(WorkKind kind)
    {
        if (kind == WorkKind.Activity) Volatile.Write(ref _activities, 1);
        else Volatile.Write(ref _orchestrations, 1);
        Request();
    }

    public void InstanceChanged(string instanceId)
    {
        _instances.Enqueue(instanceId);
        Request();
    }

    private void Request()
    {
        try
        {
            _requested.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already requested: the next send takes this along.
        }
    }

    private async Task SendAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _requested.WaitAsync(stop).ConfigureAwait(false);
                var payloads = new List<string>();
                if (Interlocked.Exchange(ref _orchestrations, 0) == 1) payloads.Add(OrchestrationPayload);
                if (Interlocked.Exchange(ref _activities, 0) == 1) payloads.Add(ActivityPayload);
                payloads.AddRange(InstancePayloads());
                if (payloads.Count == 0) continue;
                await using var batch = _dataSource.CreateBatch();
                foreach (var payload in payloads)
                {
                    var command = new NpgsqlBatchCommand("SELECT pg_notify(@channel, @payload)");
                    command.Parameters.AddWithValue("channel", _channel);
                    command.Parameters.AddWithValue("payload", payload);
                    batch.BatchCommands.Add(command);
                }
                await batch.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                // Each notification wakes every other host; one that finds nothing is a wasted query.
                await Task.Delay(MinInterval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Sending NOTIFY on {Channel} failed; other hosts fall back to polling until it works again.", _channel);
                Volatile.Write(ref _orchestrations, 1);
                Volatile.Write(ref _activities, 1);
                try
                {
                    await Task.Delay(RetryDelay, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                Request();
            }
        }
    }

    /// <summary>Pending instance ids, newline-separated, packed into payloads under PostgreSQL's size limit.</summary>
    private IEnumerable<string> InstancePayloads()
    {
        var payload = new StringBuilder();
        var bytes = 0;
        while (_instances.TryDequeue(out var id))
        {
            var size = Encoding.UTF8.GetByteCount(id) + 1;
            if (size + 1 > MaxPayloadBytes) continue; // an id this long cannot be announced; waiters poll for it
            if (bytes + size > MaxPayloadBytes)
            {
                yield return payload.ToString();
                payload.Clear();
                bytes = 0;
            }
            if (payload.Length == 0) payload.Append(InstancePrefix);
            payload.Append('\n').Append(id);
            bytes += size;
        }
        if (payload.Length > 0) yield return payload.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        _stop.Dispose();
        _requested.Dispose();
    }
}
