using System.Net;

namespace Pipeline.Functions.Links;

/// <summary>
/// Per-client-address limits on the link pages: requests of any kind per minute, and failed link checks (malformed,
/// tampered, unknown, expired) per minute. Sliding window estimated from this minute's and last minute's counts, so a
/// burst at a minute boundary cannot double the budget. Memory is bounded: idle addresses are swept, and IPv6
/// clients are counted per /64 so one host cannot spread a flood over many addresses.
/// </summary>
/// <remarks>
/// Failures are counted apart because they are what guessing looks like; genuine links never count as failures, so a
/// whole office behind one NAT address deciding at once is held back only by the (generous) overall limit.
/// </remarks>
public sealed class LinkLimiter(int maxRequestsPerMinute, int maxFailuresPerMinute, TimeProvider clock)
{
    /// <summary>Seconds a limited client is told to wait: by then the window has moved on by a whole minute.</summary>
    public const int RetryAfterSeconds = 60;

    // Past this, addresses not yet tracked share one overflow entry rather than grow the table without end.
    private const int MaxTrackedClients = 50_000;
    private const string Overflow = "overflow";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Window> _clients = new(StringComparer.Ordinal);
    private long _lastSweepMinute;

    /// <summary>Counts one request from <paramref name="client"/>; false when it is over the overall limit.</summary>
    public bool TryRequest(IPAddress? client)
    {
        lock (_gate)
        {
            var window = Current(client, out var fraction);
            window.Requests++;
            return Estimate(window.Requests, window.PreviousRequests, fraction) <= maxRequestsPerMinute;
        }
    }

    /// <summary>Counts one failed link check from <paramref name="client"/>; false when it is over the failure limit.</summary>
    public bool TryFail(IPAddress? client)
    {
        lock (_gate)
        {
            var window = Current(client, out var fraction);
            window.Failures++;
            return Estimate(window.Failures, window.PreviousFailures, fraction) <= maxFailuresPerMinute;
        }
    }

    /// <summary>The key a client is counted under: IPv4 as is (also when mapped into IPv6), IPv6 by its /64.</summary>
    public static string KeyOf(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        return Convert.ToHexStringLower(bytes, 0, 8) + "::/64";
    }

    private Window Current(IPAddress? client, out double fraction)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var minute = now / 60_000;
        fraction = now % 60_000 / 60_000.0;
        if (minute > _lastSweepMinute) Sweep(minute);

        var key = KeyOf(client);
        if (!_clients.TryGetValue(key, out var window))
        {
            if (_clients.Count >= MaxTrackedClients) key = Overflow;
            if (!_clients.TryGetValue(key, out window)) _clients[key] = window = new Window { Minute = minute };
        }
        window.MoveTo(minute);
        return window;
    }

    // Once a minute: an address idle for two whole minutes counts nothing any more, so forgetting it changes nothing.
    private void Sweep(long minute)
    {
        _lastSweepMinute = minute;
        foreach (var (key, window) in _clients)
            if (window.Minute < minute - 1) _clients.Remove(key);
    }

    // Last minute's count weighted by how much of it still lies within the last 60 seconds.
    private static double Estimate(int current, int previous, double fraction) => current + previous * (1 - fraction);

    private sealed class Window
    {
        public long Minute;
        public int Requests, PreviousRequests, Failures, PreviousFailures;

        public void MoveTo(long minute)
        {
            if (minute == Minute) return;
            (PreviousRequests, PreviousFailures) = minute == Minute + 1 ? (Requests, Failures) : (0, 0);
            Requests = Failures = 0;
            Minute = minute;
        }
    }

    /// <summary>The caller's address as the audit trail records it (IPv4 for IPv4-mapped addresses).</summary>
    public static string ClientAddress(HttpContext http) => PublicRequest.Client(http)?.ToString() ?? "unknown";

    /// <summary>The caller's user agent, cut to 512 characters (it is recorded, and anyone can send anything), or null.</summary>
    public static string? UserAgent(HttpContext http)
    {
        var agent = http.Request.Headers.UserAgent.ToString();
        return agent.Length == 0 ? null : agent.Length > 512 ? agent[..512] : agent;
    }
}
