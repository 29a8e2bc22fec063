namespace Pipeline.Host.Worker;

/// <summary>
/// Delay before restarting a worker that stopped: 1 s, doubling to at most 1 min while it keeps failing; back to
/// 1 s after a worker that stayed up for the healthy period, so a rare crash costs one second, a crash loop costs
/// little CPU.
/// </summary>
internal sealed class RestartBackoff(TimeSpan first, TimeSpan max)
{
    private TimeSpan? _next;

    /// <summary>The delay before the next start; <paramref name="wasHealthy"/> when the last worker stayed up long enough.</summary>
    public TimeSpan Next(bool wasHealthy)
    {
        var delay = wasHealthy || _next is null ? first : _next.Value;
        _next = TimeSpan.FromTicks(Math.Min(max.Ticks, delay.Ticks * 2));
        return delay;
    }
}
