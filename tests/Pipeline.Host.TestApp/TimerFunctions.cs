using System.Globalization;
using Microsoft.Azure.Functions.Worker;

namespace Pipeline.Host.TestApp;

/// <summary>
/// Timer-triggered functions. Each run appends one line to <c>$PIPELINE_DATA/timers/&lt;function&gt;.log</c>:
/// <c>pid|event|IsPastDue|Last|Next|LastUpdated|worker UTC now</c> (times round-trip "O"), which the tests read.
/// </summary>
public sealed class TimerFunctions
{
    /// <summary>Every second, and once when the host starts.</summary>
    [Function("EverySecond")]
    public void EverySecond([TimerTrigger("* * * * * *", RunOnStartup = true)] TimerInfo timer) => Record("EverySecond", "run", timer);

    /// <summary>On the hour, and once when the host starts.</summary>
    [Function("Hourly")]
    public void Hourly([TimerTrigger("0 0 * * * *", RunOnStartup = true)] TimerInfo timer) => Record("Hourly", "run", timer);

    /// <summary>Throws, on the schedule in setting <c>TestApp_FailingSchedule</c> (not scheduled where it is unset).</summary>
    [Function("FailingTimer")]
    public void FailingTimer([TimerTrigger("%TestApp_FailingSchedule%")] TimerInfo timer)
    {
        Record("FailingTimer", "run", timer);
        throw new InvalidOperationException("TestApp timer failure on purpose");
    }

    /// <summary>Every second, takes 1.5 s, when <c>TESTAPP_SLOW_TIMER=1</c> (else returns at once): records start and end.</summary>
    [Function("SlowTimer")]
    public async Task SlowTimer([TimerTrigger("* * * * * *")] TimerInfo timer)
    {
        if (Environment.GetEnvironmentVariable("TESTAPP_SLOW_TIMER") != "1") return;
        Record("SlowTimer", "start", timer);
        await Task.Delay(1500);
        Record("SlowTimer", "end", timer);
    }

    private static void Record(string function, string what, TimerInfo timer)
    {
        var data = Environment.GetEnvironmentVariable("PIPELINE_DATA") ?? throw new InvalidOperationException("PIPELINE_DATA is not set.");
        var directory = Path.Combine(data, "timers");
        Directory.CreateDirectory(directory);
        var status = timer.ScheduleStatus;
        var line = string.Join('|',
            Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            what,
            timer.IsPastDue ? "true" : "false",
            Format(status?.Last),
            Format(status?.Next),
            Format(status?.LastUpdated),
            Format(DateTime.UtcNow));
        File.AppendAllText(Path.Combine(directory, function + ".log"), line + "\n");
    }

    private static string Format(DateTime? time) => time?.ToString("O", CultureInfo.InvariantCulture) ?? "";
}
