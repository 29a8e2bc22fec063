namespace Pipeline.Durable.Store;

/// <summary>
/// Lease tokens: unique per lease, across processes and restarts. A store call that leases several rows gets one
/// prefix and makes each row's token from it and the row's key, so a token names one hand-out of one row.
/// </summary>
public static class LeaseTokens
{
    private static long _sequence;

    /// <summary>A prefix no other lease call (in any process) uses: owner and a sequence number.</summary>
    public static string NewPrefix(string owner) => $"{owner}/{Interlocked.Increment(ref _sequence):x}";

    /// <summary>A process-unique owner name: machine, process id and a random part (process ids are reused).</summary>
    public static string NewOwner() => $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
}
