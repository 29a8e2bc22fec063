using System.Globalization;

namespace Pipeline.Host.Hosting;

/// <summary>
/// <b>For tests only.</b> A clock that runs with real UTC time plus an offset read from a file, so that a test can let
/// hours or days pass by writing a larger number. Chosen by the environment variable <c>PIPELINE_CLOCKFILE</c> (see
/// <see cref="FromEnvironment"/>); without it the host uses <see cref="TimeProvider.System"/>.
/// <para>
/// The file holds a decimal number of seconds in the invariant culture (<c>3600</c>, <c>90.5</c>, <c>-2</c>); a missing
/// or empty file is an offset of zero. It is read again when its modification time or contents change (looked at on
/// each <see cref="GetUtcNow"/>, and every <see cref="WatchInterval"/> once a timer was made); a file that does not
/// parse (half written) keeps the previous offset until it does. Writers should replace the file atomically (write a
/// temporary file, then rename it): a file emptied on the way reads as zero.
/// </para>
/// <para>
/// Timers made by <see cref="CreateTimer"/> (<c>Task.Delay(…, clock)</c>, <c>CancelAfter</c>, …) are due at a moment of
/// this clock: when the offset jumps forward past a timer's due time the timer fires (within
/// <see cref="WatchInterval"/>); when it jumps back the timer waits longer. A periodic timer's next due time is
/// counted from when it fired. <see cref="TimeProvider.GetTimestamp"/> (elapsed-time measurement) is not offset.
/// </para>
/// </summary>
public sealed class HostClock : TimeProvider, IDisposable
{
    /// <summary>The environment variable naming the clock file (tests only).</summary>
    public const string EnvironmentVariable = "PIPELINE_CLOCKFILE";

    /// <summary>How often the file is checked for a new offset while timers of this clock exist.</summary>
    public static readonly TimeSpan WatchInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>For this long after the file's modification time, its contents are compared on every look.</summary>
    private static readonly TimeSpan RecentWrite = TimeSpan.FromSeconds(1);

    // 1000 years either way: beyond any test, and today's date plus or minus it stays within DateTimeOffset's range.
    private const decimal MaxOffsetSeconds = 31_557_600_000m;

    private readonly object _gate = new();
    private readonly HashSet<ClockTimer> _timers = [];
    private FileStamp _stamp = FileStamp.None;
    private string? _text;
    private long _offsetTicks;
    private long _notifiedOffsetTicks;
    private ITimer? _watch;
    private bool _disposed;

    /// <summary>A clock offset by the number of seconds in <paramref name="path"/> (an absolute path).</summary>
    public HostClock(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        FilePath = Path.GetFullPath(path);
        Refresh();
        _notifiedOffsetTicks = Interlocked.Read(ref _offsetTicks);
    }

    /// <summary>The clock file.</summary>
    public string FilePath { get; }

    /// <summary>The offset in force now (the file is checked first).</summary>
    public TimeSpan Offset
    {
        get
        {
            Refresh();
            return TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
        }
    }

    /// <summary>
    /// The host's clock: a <see cref="HostClock"/> on the file named by <c>PIPELINE_CLOCKFILE</c> (a relative path is
    /// taken from <paramref name="workingDirectory"/>), or <see cref="TimeProvider.System"/> when it is unset or empty.
    /// </summary>
    public static TimeProvider FromEnvironment(string workingDirectory)
        => FromSetting(Environment.GetEnvironmentVariable(EnvironmentVariable), workingDirectory);

    /// <summary>As <see cref="FromEnvironment"/>, for the value <paramref name="clockFile"/> of the variable.</summary>
    public static TimeProvider FromSetting(string? clockFile, string workingDirectory)
        => string.IsNullOrWhiteSpace(clockFile)
            ? TimeProvider.System
            : new HostClock(Path.GetFullPath(clockFile.Trim(), Path.GetFullPath(workingDirectory)));

    /// <summary>Parses the file's text: decimal seconds, invariant culture; blank = zero. Null when it does not parse or is beyond 1000 years.</summary>
    public static TimeSpan? ParseOffset(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return TimeSpan.Zero;
        if (!decimal.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)) return null;
        if (Math.Abs(seconds) > MaxOffsetSeconds) return null;
        return TimeSpan.FromTicks((long)decimal.Round(seconds * TimeSpan.TicksPerSecond));
    }

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow()
    {
        Refresh();
        return TimeProvider.System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));
    }

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ClockTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Stops watching the file; existing timers keep their current schedule.</summary>
    public void Dispose()
    {
        ITimer? watch;
        lock (_timers)
        {
            _disposed = true;
            watch = _watch;
            _watch = null;
        }
        watch?.Dispose();
    }

    /// <summary>
    /// Reads the file again if its modification time or length changed, or while it was modified less than
    /// <see cref="RecentWrite"/> ago: file times are coarse (a few milliseconds), so two quick writes of the same
    /// length can leave the same time.
    /// </summary>
    private void Refresh()
    {
        var stamp = FileStamp.Of(FilePath);
        if (stamp == _stamp && !stamp.IsRecent()) return;
        lock (_gate)
        {
            if (stamp == _stamp && !stamp.IsRecent()) return;
            string text;
            try
            {
                text = stamp.Exists ? File.ReadAllText(FilePath) : "";
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                text = "";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return; // Being replaced: read it next time.
            }
            if (stamp == _stamp && text == _text) return;
            if (ParseOffset(text) is not { } offset) return; // Half-written or wrong: keep the previous offset, read it next time.
            Interlocked.Exchange(ref _offsetTicks, offset.Ticks);
            _stamp = stamp;
            _text = text;
        }
    }

    private void Track(ClockTimer timer)
    {
        lock (_timers)
        {
            _timers.Add(timer);
            if (_watch is null && !_disposed) _watch = TimeProvider.System.CreateTimer(_ => Watch(), null, WatchInterval, WatchInterval);
        }
    }

    private void Untrack(ClockTimer timer)
    {
        lock (_timers) _timers.Remove(timer);
    }

    /// <summary>Every <see cref="WatchInterval"/>: when the offset changed since the last look, every timer re-aims.</summary>
    private void Watch()
    {
        Refresh();
        var offset = Interlocked.Read(ref _offsetTicks);
        if (Interlocked.Exchange(ref _notifiedOffsetTicks, offset) == offset) return;
        ClockTimer[] timers;
        lock (_timers) timers = [.. _timers];
        foreach (var timer in timers) timer.Reaim();
    }

    /// <summary>Modification time and length of the clock file, or <see cref="None"/> when it does not exist.</summary>
    private readonly record struct FileStamp(bool Exists, long WriteTicks, long Length)
    {
        public static readonly FileStamp None = new(false, -1, -1);

        /// <summary>Modified so lately that a further write could have left the same time.</summary>
        public bool IsRecent() => Exists && DateTime.UtcNow.Ticks - WriteTicks < RecentWrite.Ticks;

        public static FileStamp Of(string path)
        {
            var info = new FileInfo(path);
            return info.Exists ? new FileStamp(true, info.LastWriteTimeUtc.Ticks, info.Length) : new FileStamp(false, 0, 0);
        }
    }

    /// <summary>A timer due at a moment of the clock; a system timer waits for it and is re-aimed when the offset changes.</summary>
    private sealed class ClockTimer : ITimer
    {
        private readonly HostClock _clock;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private readonly ITimer _inner;
        private readonly object _gate = new();
        private DateTimeOffset? _dueAt;
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        private bool _disposed;

        public ClockTimer(HostClock clock, TimerCallback callback, object? state)
        {
            _clock = clock;
            _callback = callback;
            _state = state;
            _inner = TimeProvider.System.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime < TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan) throw new ArgumentOutOfRangeException(nameof(dueTime));
            if (period < TimeSpan.Zero && period != Timeout.InfiniteTimeSpan) throw new ArgumentOutOfRangeException(nameof(period));
            var now = _clock.GetUtcNow();
            lock (_gate)
            {
                if (_disposed) return false;
                _period = period;
                _dueAt = dueTime == Timeout.InfiniteTimeSpan ? null : now + dueTime;
                Aim(now);
            }
            return true;
        }

        /// <summary>The offset changed: wait for the due time by the clock as it is now.</summary>
        public void Reaim()
        {
            var now = _clock.GetUtcNow();
            lock (_gate)
            {
                if (!_disposed) Aim(now);
            }
        }

        private void Fire()
        {
            var now = _clock.GetUtcNow();
            lock (_gate)
            {
                if (_disposed || _dueAt is not { } dueAt) return;
                if (now < dueAt)
                {
                    Aim(now); // Early by the system timer, or the clock moved back.
                    return;
                }
                _dueAt = _period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero ? null : now + _period;
                Aim(now);
            }
            _callback(_state);
        }

        /// <summary>Sets the system timer to the remaining time; tracked by the clock only while due.</summary>
        private void Aim(DateTimeOffset now)
        {
            if (_dueAt is not { } dueAt)
            {
                _inner.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _clock.Untrack(this);
                return;
            }
            var remaining = dueAt - now;
            if (remaining < TimeSpan.Zero) remaining = TimeSpan.Zero;
            // System timers take at most ~49 days; the timer re-aims when it wakes early.
            if (remaining > MaxSystemDue) remaining = MaxSystemDue;
            _clock.Track(this);
            _inner.Change(remaining, Timeout.InfiniteTimeSpan);
        }

        public void Dispose()
        {
            lock (_gate)
            {
                if (_disposed) return;
                _disposed = true;
                _dueAt = null;
            }
            _clock.Untrack(this);
            _inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private static readonly TimeSpan MaxSystemDue = TimeSpan.FromDays(30);
    }
}
