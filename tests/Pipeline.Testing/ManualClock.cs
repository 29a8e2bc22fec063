namespace Pipeline.Testing;

/// <summary>
/// A clock that stands still until the test moves it. The engine reads every time (step times, timer due
/// times, lease expiry) from its <see cref="TimeProvider"/>, so advancing this clock is how a test lets
/// eight days pass in a millisecond. Polling still happens in real time.
/// </summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _utcTicks = start.UtcTicks;

    /// <summary>A clock at a fixed, recognisable moment (Monday 2 March 2026, 08:00 UTC).</summary>
    public ManualClock() : this(new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero)) { }

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    public DateTime UtcNow => GetUtcNow().UtcDateTime;

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _utcTicks, by.Ticks);
    }

    /// <summary>Moves the clock forward to <paramref name="utc"/> (never backwards).</summary>
    public void AdvanceTo(DateTime utc)
    {
        var target = utc.ToUniversalTime().Ticks;
        long current;
        do
        {
            current = Interlocked.Read(ref _utcTicks);
            if (current >= target) return;
        } while (Interlocked.CompareExchange(ref _utcTicks, target, current) != current);
    }
}
