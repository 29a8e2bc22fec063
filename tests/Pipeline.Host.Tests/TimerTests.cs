using System.Globalization;

namespace Pipeline.Host.Tests;

/// <summary>
/// Timer triggers through the real host and worker: runOnStartup and schedules, one run at a time, failures only
/// logged. The test app's timer functions append a line per run to <c>data/timers/&lt;function&gt;.log</c>.
/// </summary>
public sealed class TimerTests(TimerTests.Fixture fixture) : IClassFixture<TimerTests.Fixture>
{
    private HostProcess Host => fixture.Host;

    [Fact]
    public async Task Timers_run_on_startup_and_then_on_schedule()
    {
        // Hourly, runOnStartup: one run at start, whose TimerInfo announces the next full hour.
        var startup = Assert.Single(await TimerRuns.WaitAsync(Host, "Hourly", 1));
        Assert.Equal(DateTime.MinValue, startup.Last);
        Assert.True(startup.Next > startup.RecordedAt && startup.Next - startup.RecordedAt <= TimeSpan.FromHours(1), $"Next {startup.Next:O}");
        Assert.Equal((0, 0, 0), (startup.Next.Minute, startup.Next.Second, startup.Next.Millisecond));
        Assert.False(startup.IsPastDue);

        // Every second: the run on startup, then one run per whole second (ticks may be skipped, never repeated).
        var runs = await TimerRuns.WaitAsync(Host, "EverySecond", 5);
        var scheduled = runs.Skip(1).ToList();
        Assert.All(scheduled, run => Assert.Equal(0, run.Next.Millisecond));
        Assert.All(scheduled, run => Assert.True(run.Next <= run.RecordedAt, $"Run for {run.Next:O} recorded at {run.RecordedAt:O}"));
        for (var i = 1; i < scheduled.Count; i++)
        {
            Assert.True(scheduled[i].Next > scheduled[i - 1].Next, "Occurrences increase.");
            Assert.Equal(scheduled[i - 1].Next, scheduled[i].Last);
        }
        Assert.Contains("Timer function EverySecond scheduled: * * * * * * (UTC), running now on startup", Host.Process.Output);
    }

    [Fact]
    public async Task Failing_timer_is_logged_and_the_host_goes_on()
    {
        using var client = Host.CreateClient();
        var pid = await client.GetStringAsync("pid");

        await Host.PollAsync(() => Task.FromResult(TimerRuns.Count(Host.Process.Output, "Timer function FailingTimer (invocation") >= 3),
            "three failed runs of FailingTimer are logged", TimerRuns.Patience);
        Assert.Contains("TestApp timer failure on purpose", Host.Process.Output);
        Assert.Contains("Timer function FailingTimer scheduled: * * * * * * (UTC)", Host.Process.Output);

        // Same worker, still serving HTTP and the other timers.
        Assert.Equal(pid, await client.GetStringAsync("pid"));
        var before = (await TimerRuns.WaitAsync(Host, "EverySecond", 1)).Count;
        await TimerRuns.WaitAsync(Host, "EverySecond", before + 2);
        Assert.False(Host.Process.HasExited);
    }

    [Fact]
    public async Task Slow_timer_runs_one_at_a_time_skipping_what_falls_due_meanwhile()
    {
        // SlowTimer takes 1.5 s a run and is due every second.
        var slow = await TimerRuns.WaitAsync(Host, "SlowTimer", 6);
        var starts = slow.Where(r => r.Event == "start").ToList();
        var ends = slow.Where(r => r.Event == "end").ToList();
        Assert.Equal(Enumerable.Range(0, ends.Count).SelectMany(_ => new[] { "start", "end" }), slow.Select(r => r.Event).Take(2 * ends.Count));
        for (var i = 1; i < ends.Count && i < starts.Count; i++)
        {
            Assert.True(starts[i].RecordedAt >= ends[i - 1].RecordedAt, $"Run {i} started at {starts[i].RecordedAt:O} before run {i - 1} ended at {ends[i - 1].RecordedAt:O}");
            Assert.True(starts[i].Next - starts[i - 1].Next >= TimeSpan.FromSeconds(2), "The occurrence during a run is skipped.");
        }
    }

    /// <summary>One host for the class, with FailingTimer scheduled (through a %setting%) and SlowTimer switched on.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private HostProcess? _host;

        public HostProcess Host => _host ?? throw new InvalidOperationException("Not started.");

        public async Task InitializeAsync() => _host = await HostProcess.StartAsync(environment: new Dictionary<string, string?>
        {
            ["TestApp_FailingSchedule"] = "* * * * * *", // FailingTimer's schedule is "%TestApp_FailingSchedule%"
            ["TESTAPP_SLOW_TIMER"] = "1",
        });

        public async Task DisposeAsync()
        {
            if (_host is not null) await _host.DisposeAsync();
        }
    }
}

/// <summary>
/// Timers on the test clock (PIPELINE_CLOCKFILE) and across worker restarts, on one host whose clock file starts
/// absent (offset zero). Each test holds whichever runs first.
/// </summary>
public sealed class TimerClockTests(TimerClockTests.Fixture fixture) : IClassFixture<TimerClockTests.Fixture>
{
    private HostProcess Host => fixture.Host;

    [Fact]
    public async Task Clock_file_moves_the_hosts_timers_forward()
    {
        var startup = (await TimerRuns.WaitAsync(Host, "Hourly", 1))[0];

        // Just past the announced hour on the host's clock: the hourly timer runs now, for that hour.
        var offset = startup.Next - DateTime.UtcNow + TimeSpan.FromSeconds(1);
        var temporary = fixture.ClockFile + ".tmp";
        await File.WriteAllTextAsync(temporary, offset.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture));
        File.Move(temporary, fixture.ClockFile, overwrite: true);

        var runs = await TimerRuns.WaitAsync(Host, "Hourly", 2);
        Assert.Equal(startup.Next, runs[1].Next);
        // The every-second timer follows the host's clock too, about an hour ahead of the worker's.
        await Host.PollAsync(async () => (await TimerRuns.ReadAsync(Host, "EverySecond")).Any(r => r.Next >= startup.Next && r.RecordedAt < startup.Next),
            "EverySecond runs on the host's clock", TimerRuns.Patience);
    }

    [Fact]
    public async Task Timers_go_on_with_the_next_worker_and_run_on_startup_once()
    {
        using var client = Host.CreateClient();
        var firstPid = int.Parse(await client.GetStringAsync("pid"), CultureInfo.InvariantCulture);
        await TimerRuns.WaitAsync(Host, "EverySecond", 2);

        await client.GetAsync("crash");
        await Host.PollAsync(async () => (await client.GetAsync("pid")).IsSuccessStatusCode, "a new worker serves", TimeSpan.FromSeconds(60));
        var secondPid = int.Parse(await client.GetStringAsync("pid"), CultureInfo.InvariantCulture);
        Assert.NotEqual(firstPid, secondPid);

        await Host.PollAsync(async () => (await TimerRuns.ReadAsync(Host, "EverySecond")).Count(r => r.Pid == secondPid) >= 2,
            "EverySecond runs twice in the new worker", TimerRuns.Patience);
        // The schedules went on as they were: not scheduled anew, no second run on startup (that one has no Last).
        Assert.Equal(1, TimerRuns.Count(Host.Process.Output, "Timer function Hourly scheduled"));
        Assert.DoesNotContain(await TimerRuns.ReadAsync(Host, "Hourly"), r => r.Pid == secondPid && r.Last == DateTime.MinValue);
    }

    /// <summary>One host with PIPELINE_CLOCKFILE set to a file that does not exist yet.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private readonly string _clockDirectory = Directory.CreateTempSubdirectory("pipeline-clock-").FullName;
        private HostProcess? _host;

        public HostProcess Host => _host ?? throw new InvalidOperationException("Not started.");

        public string ClockFile => Path.Combine(_clockDirectory, "clock");

        public async Task InitializeAsync() => _host = await HostProcess.StartAsync(environment: new Dictionary<string, string?> { ["PIPELINE_CLOCKFILE"] = ClockFile });

        public async Task DisposeAsync()
        {
            if (_host is not null) await _host.DisposeAsync();
            Directory.Delete(_clockDirectory, recursive: true);
        }
    }
}

/// <summary>Reads the test app's timer logs.</summary>
internal static class TimerRuns
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>Waits until <paramref name="function"/> has recorded at least <paramref name="count"/> lines; returns them all.</summary>
    public static async Task<IReadOnlyList<TimerRun>> WaitAsync(HostProcess host, string function, int count)
    {
        IReadOnlyList<TimerRun> runs = [];
        await host.PollAsync(async () => (runs = await ReadAsync(host, function)).Count >= count, $"{function} records {count} runs", Patience);
        return runs;
    }

    public static async Task<IReadOnlyList<TimerRun>> ReadAsync(HostProcess host, string function)
    {
        var path = Path.Combine(host.DataDirectory, "timers", function + ".log");
        if (!File.Exists(path)) return [];
        var text = await File.ReadAllTextAsync(path);
        var complete = text[..(text.LastIndexOf('\n') + 1)]; // a line still being written is left for later
        return complete.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(TimerRun.Parse).ToList();
    }

    public static int Count(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    /// <summary>One line of the test app: <c>pid|event|IsPastDue|Last|Next|LastUpdated|worker UTC now</c>.</summary>
    public sealed record TimerRun(int Pid, string Event, bool IsPastDue, DateTime Last, DateTime Next, DateTime LastUpdated, DateTime RecordedAt)
    {
        public static TimerRun Parse(string line)
        {
            var f = line.Split('|');
            return new TimerRun(int.Parse(f[0], CultureInfo.InvariantCulture), f[1], bool.Parse(f[2]), Time(f[3]), Time(f[4]), Time(f[5]), Time(f[6]));
        }

        private static DateTime Time(string text)
            => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
    }
}
