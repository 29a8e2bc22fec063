using System.Globalization;

namespace Pipeline.Functions.Hosting;

/// <summary>
/// A clock for tests that must let days pass in seconds: real UTC now plus the offset in a file — a decimal number of
/// seconds, invariant culture; a missing or empty file is 0 — re-read whenever the file changes. Set by environment
/// <c>PIPELINE_CLOCKFILE</c>, which the host and the worker both read, so the durable timers the host's sidecar fires
/// and the times the app records agree. Never used in production (no variable, <see cref="TimeProvider.System"/>).
/// </summary>
public sealed class ClockFile : TimeProvider
{
    /// <summary>The environment variable naming the file.</summary>
    public const string EnvironmentVariable = "PIPELINE_CLOCKFILE";

    // A stat of the file at most this often: cheap, and far below any offset step a test waits on.
    private static readonly long RecheckTicks = TimeSpan.FromMilliseconds(50).Ticks;

    private readonly Lock _lock = new();
    private readonly TimeProvider _real;
    private long? _checkedAt;
    private DateTime _seenWrite = DateTime.MinValue;
    private long _seenLength = -1;
    private TimeSpan _offset;

    /// <summary>A clock reading <paramref name="path"/>, on top of <paramref name="real"/> (default the system clock).</summary>
    public ClockFile(string path, TimeProvider? real = null)
    {
        Path = global::System.IO.Path.GetFullPath(path);
        _real = real ?? System;
    }

    /// <summary>The file holding the offset.</summary>
    public string Path { get; }

    /// <summary>The clock <c>PIPELINE_CLOCKFILE</c> names, else <see cref="TimeProvider.System"/>.</summary>
    public static TimeProvider FromEnvironment()
        => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } path ? new ClockFile(path) : System;

    /// <summary>The offset now in force.</summary>
    public TimeSpan Offset
    {
        get
        {
            lock (_lock)
            {
                var now = _real.GetTimestamp();
                if (_checkedAt is not { } checkedAt || now - checkedAt >= RecheckTicks * _real.TimestampFrequency / TimeSpan.TicksPerSecond)
                {
                    _checkedAt = now;
                    Refresh();
                }
                return _offset;
            }
        }
    }

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => _real.GetUtcNow() + Offset;

    /// <summary>Parses the file's text: seconds, invariant culture; blank is 0.</summary>
    public static TimeSpan ParseOffset(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return TimeSpan.Zero;
        if (!decimal.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            throw new FormatException($"{EnvironmentVariable}: \"{text.Trim()}\" is not a number of seconds.");
        return TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));
    }

    private void Refresh()
    {
        var file = new FileInfo(Path);
        if (!file.Exists)
        {
            _offset = TimeSpan.Zero;
            _seenLength = -1;
            return;
        }
        if (file.LastWriteTimeUtc == _seenWrite && file.Length == _seenLength) return;
        try
        {
            var text = File.ReadAllText(Path);
            _offset = ParseOffset(text);
            _seenWrite = file.LastWriteTimeUtc;
            _seenLength = file.Length;
        }
        catch (IOException)
        {
            // Being written: keep the old offset and read it on the next check.
        }
        catch (FormatException)
        {
            // Half-written text: the same.
        }
    }
}
