using System.Globalization;

namespace Pipeline.Functions.Tests.Approval;

/// <summary>
/// The clock file of a <see cref="PipelineApp"/> started with <c>PIPELINE_CLOCKFILE</c>: host and app read real UTC
/// now plus the offset in the file (seconds, invariant culture), re-read when it changes, so a test moves time forward
/// by writing a larger offset. Durable timers fire from the host's sidecar on the same clock.
/// </summary>
public sealed class TestClock
{
    /// <summary>The environment variable naming the file.</summary>
    public const string Variable = "PIPELINE_CLOCKFILE";

    private double _offsetSeconds;

    private TestClock(string path) => Path = path;

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>A clock file in <paramref name="directory"/> with no offset yet (the real time).</summary>
    public static TestClock Create(string directory)
    {
        var clock = new TestClock(System.IO.Path.Combine(directory, "clock-offset"));
        File.WriteAllText(clock.Path, "0");
        return clock;
    }

    /// <summary>The environment that makes an app run on this clock.</summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?> { [Variable] = Path };

    /// <summary>The time the app reads now.</summary>
    public DateTime UtcNow => DateTime.UtcNow.AddSeconds(_offsetSeconds);

    /// <summary>Sets the clock to <paramref name="utc"/> (it runs on from there); never backwards.</summary>
    public void Set(DateTime utc)
    {
        var offset = (utc - DateTime.UtcNow).TotalSeconds;
        if (offset < _offsetSeconds) throw new InvalidOperationException($"The clock only moves forward: {utc:O} is before {UtcNow:O}.");
        _offsetSeconds = offset;
        var temporary = Path + ".tmp";
        File.WriteAllText(temporary, offset.ToString("R", CultureInfo.InvariantCulture));
        File.Move(temporary, Path, overwrite: true);
    }

    /// <summary>Sets the clock to <paramref name="utc"/>, then gives host and app a few polling intervals to act on it.</summary>
    public async Task MoveToAsync(DateTime utc)
    {
        Set(utc);
        await Task.Delay(TimeSpan.FromSeconds(3));
    }
}
