using System.Diagnostics;
using System.Globalization;
using Pipeline.Host.Hosting;

namespace Pipeline.Host.Tests;

/// <summary>
/// HostClock (PIPELINE_CLOCKFILE, tests only): real UTC now plus the seconds in a file, read again when the file
/// changes; its timers fire when the offset jumps past their due time.
/// </summary>
public sealed class ClockFileTests : IDisposable
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(2);
    private readonly string _directory = Directory.CreateTempSubdirectory("pipeline-clock-").FullName;

    private string ClockFile => Path.Combine(_directory, "clock");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Missing_or_empty_file_is_no_offset()
    {
        using var clock = new HostClock(ClockFile);
        Assert.Equal(TimeSpan.Zero, clock.Offset);
        AssertNear(DateTimeOffset.UtcNow, clock.GetUtcNow());

        Write("");
        Assert.Equal(TimeSpan.Zero, clock.Offset);
        Write("  \n");
        Assert.Equal(TimeSpan.Zero, clock.Offset);
    }

    [Fact]
    public void Offset_is_decimal_seconds_in_the_invariant_culture()
    {
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            Write("90.5\n");
            using var clock = new HostClock(ClockFile);
            Assert.Equal(TimeSpan.FromSeconds(90.5), clock.Offset);
            AssertNear(DateTimeOffset.UtcNow.AddSeconds(90.5), clock.GetUtcNow());
            Assert.Equal(TimeSpan.Zero, clock.GetUtcNow().Offset);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
        Assert.Equal(TimeSpan.FromSeconds(-2), HostClock.ParseOffset("-2"));
        Assert.Equal(TimeSpan.FromDays(40), HostClock.ParseOffset("3456000"));
        Assert.Equal(TimeSpan.FromTicks(1), HostClock.ParseOffset("0.0000001"));
        Assert.Null(HostClock.ParseOffset("1,5"));
        Assert.Null(HostClock.ParseOffset("ten"));
        Assert.Null(HostClock.ParseOffset("1e30"));
    }

    [Fact]
    public void Changed_file_is_read_again_at_once_even_with_the_same_length()
    {
        Write("10");
        using var clock = new HostClock(ClockFile);
        Assert.Equal(TimeSpan.FromSeconds(10), clock.Offset);

        // Same length, written within the file system's time granularity.
        Write("20");
        Assert.Equal(TimeSpan.FromSeconds(20), clock.Offset);
        Write("86400");
        AssertNear(DateTimeOffset.UtcNow.AddDays(1), clock.GetUtcNow());

        File.Delete(ClockFile);
        Assert.Equal(TimeSpan.Zero, clock.Offset);
    }

    [Fact]
    public void File_that_does_not_parse_keeps_the_previous_offset()
    {
        Write("10");
        using var clock = new HostClock(ClockFile);
        Write("1O"); // a typo, or a half-written number
        Assert.Equal(TimeSpan.FromSeconds(10), clock.Offset);
        Write("30");
        Assert.Equal(TimeSpan.FromSeconds(30), clock.Offset);
    }

    [Fact]
    public async Task Timer_fires_when_the_offset_jumps_past_its_due_time()
    {
        using var clock = new HostClock(ClockFile);
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timer = clock.CreateTimer(_ => fired.TrySetResult(), null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);
        var delay = Task.Delay(TimeSpan.FromMinutes(30), clock);
        using var cancelled = new CancellationTokenSource(TimeSpan.FromMinutes(45), clock);
        Assert.False(fired.Task.IsCompleted);

        Write("3601");
        await fired.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await delay.WaitAsync(TimeSpan.FromSeconds(10));
        await WaitUntilAsync(() => cancelled.IsCancellationRequested, "CancelAfter on the clock");
    }

    [Fact]
    public async Task Timers_keep_real_time_while_the_offset_stands_still()
    {
        Write("3600");
        using var clock = new HostClock(ClockFile);
        var watch = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromMilliseconds(300), clock).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(290), $"Fired after {watch.Elapsed}.");

        var ticks = 0;
        using var periodic = clock.CreateTimer(_ => Interlocked.Increment(ref ticks), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(50));
        await WaitUntilAsync(() => Volatile.Read(ref ticks) >= 3, "three ticks of a periodic timer");

        // Stopped: a timer changed to infinite, and a disposed one, no longer fire.
        Assert.True(periodic.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        periodic.Dispose();
        Assert.False(periodic.Change(TimeSpan.Zero, TimeSpan.Zero));
    }

    [Fact]
    public void Clock_is_chosen_by_the_setting()
    {
        Assert.Same(TimeProvider.System, HostClock.FromSetting(null, _directory));
        Assert.Same(TimeProvider.System, HostClock.FromSetting(" ", _directory));
        var clock = Assert.IsType<HostClock>(HostClock.FromSetting("clock", _directory));
        using (clock) Assert.Equal(ClockFile, clock.FilePath);
        Assert.Equal("PIPELINE_CLOCKFILE", HostClock.EnvironmentVariable);
    }

    /// <summary>Replaces the clock file atomically, as tests should.</summary>
    private void Write(string text)
    {
        var temporary = ClockFile + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, ClockFile, overwrite: true);
    }

    private static void AssertNear(DateTimeOffset expected, DateTimeOffset actual)
        => Assert.True((actual - expected).Duration() < Tolerance, $"Expected about {expected:O}, got {actual:O}.");

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(10)) throw new TimeoutException($"{what}: not within 10 s.");
            await Task.Delay(20);
        }
    }
}
