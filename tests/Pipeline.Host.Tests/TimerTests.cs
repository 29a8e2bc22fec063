using System.Globalization;

namespace Pipeline.Host.Tests;

/// <summary>
/// Timer triggers through the real host and worker: runOnStartup and schedules, one run at a time, failures only
/// logged, schedules kept across worker restarts, and the test clock (PIPELINE_CLOCKFILE) moving them forward.
/// The test app's timer functions append a line per run to <c>data/timers/&lt;function&gt;.log</c>.
/// </summary>
public sealed class TimerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Timers_run_on_startup_and_then_on_schedule()
    {
        await using var host = await HostProcess.StartAsync();

        // Hourly, runOnStartup: one run at start, whose TimerInfo announces the next full hour.
        var startup = Assert.Single(await RunsAsync(host, "Hourly", 1));
        Assert.Equal(DateTime.MinValue, startup.Last);
        Assert.True(startup.Next > startup.RecordedAt && startup.Next - startup.RecordedAt <= TimeSpan.FromHours(1), $"Next {startup.Next:O}");
        Assert.Equal((0, 0, 0), (startup.Next.Minute, startup.Next.Second, startup.Next.Millisecond));
        Assert.False(startup.IsPastDue);

        // Every second: the run on startup, then one run per whole second (ticks may be skipped, never repeated).
        var runs = await RunsAsync(host, "EverySecond", 5);
        var scheduled = runs.Skip(1).ToList();
        Assert.All(scheduled, run => Assert.Equal(0, run.Next.Millisecond));
        Assert.All(scheduled, run => Assert.True(run.Next <= run.RecordedAt.AddSeconds(1), $"Run for {run.Next:O} recorded at {run.RecordedAt:O}"));
        for (var i = 1; i < scheduled.Count; i++)
        {
            Assert.True(scheduled[i].Next > scheduled[i - 1].Next, "Occurrences increase.");
            Assert.Equal(scheduled[i - 1].Next, scheduled[i].Last);
        }
        Assert.Contains("Timer function EverySecond scheduled: * * * * * * (UTC), running now on startup", host.Process.Output);
        Assert.Equal(runs.Count(r => r.Pid == runs[0].Pid), runs.Count);
    }

    [Fact]
    public async Task Failing_timer_is_logged_and_the_host_goes_on_and_slow_timers_never_overlap()
    {
        await using var host = await HostProcess.StartAsync(environment: new Dictionary<string, string?>
        {
            ["TestApp_FailingSchedule"] = "* * * * * *", // the function's schedule is "%TestApp_FailingSchedule%"
            ["TESTAPP_SLOW_TIMER"] = "1",
        });
        using var client = host.CreateClient();
        var pid = await client.GetStringAsync("pid");

        await host.PollAsync(() => Task.FromResult(Count(host.Process.Output, "Timer function FailingTimer (invocation") >= 3),
            "three failed runs of FailingTimer are logged", Patience);
        Assert.Contains("TestApp timer failure on purpose", host.Process.Output);
        Assert.Contains("Timer function FailingTimer scheduled: * * * * * * (UTC)", host.Process.Output);

        // SlowTimer (1.5 s a run, due every second): each run starts after the previous one ended.
        var slow = await RunsAsync(host, "SlowTimer", 6);
        var starts = slow.Where(r => r.Event == "start").ToList();
        var ends = slow.Where(r => r.Event == "end").ToList();
        Assert.Equal(slow.Select(r => r.Event).Take(2 * ends.Count), Enumerable.Range(0, ends.Count).SelectMany(_ => new[] { "start", "end" }));
        for (var i = 1; i < ends.Count && i < starts.Count; i++)
        {
            Assert.True(starts[i].RecordedAt >= ends[i - 1].RecordedAt, $"Run {i} started at {starts[i].RecordedAt:O} before run {i - 1} ended at {ends[i - 1].RecordedAt:O}");
            Assert.True(starts[i].Next - starts[i - 1].Next >= TimeSpan.FromSeconds(2), "The occurrence during a run is skipped.");
        }

        // Same worker, still serving HTTP and the other timers.
        Assert.Equal(pid, await client.GetStringAsync("pid"));
        var before = (await RunsAsync(host, "EverySecond", 1)).Count;
        await RunsAsync(host, "EverySecond", before + 2);
        Assert.False(host.Process.HasExited);
    }

    [Fact]
    public async Task Timers_go_on_with_the_next_worker_and_run_on_startup_once()
    {
        await using var host = await HostProcess.StartAsync();
        using var client = host.CreateClient();
        var firstPid = int.Parse(await client.GetStringAsync("pid"), CultureInfo.InvariantCulture);
        await RunsAsync(host, "EverySecond", 2);

        await client.GetAsync("crash");
        await host.PollAsync(async () => (await client.GetAsync("pid")).IsSuccessStatusCode, "a new worker serves", TimeSpan.FromSeconds(60));
        var secondPid = int.Parse(await client.GetStringAsync("pid"), CultureInfo.InvariantCulture);
        Assert.NotEqual(firstPid, secondPid);

        await host.PollAsync(async () => (await ReadRunsAsync(host, "EverySecond")).Count(r => r.Pid == secondPid) >= 2,
            "EverySecond runs twice in the new worker", Patience);
        // The new worker got no second run on startup (a startup run announces an occurrence still to come).
        Assert.DoesNotContain(await ReadRunsAsync(host, "Hourly"), r => r.Pid == secondPid && r.Next > r.RecordedAt);
    }

    [Fact]
    public async Task Clock_file_moves_the_hosts_timers_forward()
    {
        var clockDirectory = Directory.CreateTempSubdirectory("pipeline-clock-").FullName;
        try
        {
            var clockFile = Path.Combine(clockDirectory, "clock");
            await using var host = await HostProcess.StartAsync(environment: new Dictionary<string, string?> { ["PIPELINE_CLOCKFILE"] = clockFile });
            var startup = Assert.Single(await RunsAsync(host, "Hourly", 1));

            // Just past the announced hour on the host's clock: the hourly timer runs now, for that hour.
            var offset = startup.Next - DateTime.UtcNow + TimeSpan.FromSeconds(1);
            var temporary = clockFile + ".tmp";
            await File.WriteAllTextAsync(temporary, offset.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture));
            File.Move(temporary, clockFile, overwrite: true);

            var runs = await RunsAsync(host, "Hourly", 2);
            Assert.Equal(startup.Next, runs[1].Next);
            // The every-second timer follows the host's clock too, an hour or less ahead of the worker's.
            await host.PollAsync(async () => (await ReadRunsAsync(host, "EverySecond")).Any(r => r.Next >= startup.Next && r.RecordedAt < startup.Next),
                "EverySecond runs on the host's clock", Patience);
        }
        finally
        {
            Directory.Delete(clockDirectory, recursive: true);
        }
    }

    /// <summary>Waits until <paramref name="function"/> has recorded at least <paramref name="count"/> lines; returns them all.</summary>
    private static async Task<IReadOnlyList<TimerRun>> RunsAsync(HostProcess host, string function, int count)
    {
        IReadOnlyList<TimerRun> runs = [];
        await host.PollAsync(async () => (runs = await ReadRunsAsync(host, function)).Count >= count, $"{function} records {count} runs", Patience);
        return runs;
    }

    private static async Task<IReadOnlyList<TimerRun>> ReadRunsAsync(HostProcess host, string function)
    {
        var path = Path.Combine(host.DataDirectory, "timers", function + ".log");
        if (!File.Exists(path)) return [];
        var text = await File.ReadAllTextAsync(path);
        var complete = text[..(text.LastIndexOf('\n') + 1)]; // a line still being written is left for later
        return complete.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(TimerRun.Parse).ToList();
    }

    private static int Count(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    /// <summary>One line of the test app: <c>pid|event|IsPastDue|Last|Next|LastUpdated|worker UTC now</c>.</summary>
    private sealed record TimerRun(int Pid, string Event, bool IsPastDue, DateTime Last, DateTime Next, DateTime LastUpdated, DateTime RecordedAt)
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
