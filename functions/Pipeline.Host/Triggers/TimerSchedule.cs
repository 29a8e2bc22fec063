using System.Globalization;
using NCrontab;

namespace Pipeline.Host.Triggers;

/// <summary>
/// When a timer function is due, as Azure's Timer extension reads a schedule (all times UTC): an NCRONTAB expression
/// with six fields <c>{second} {minute} {hour} {day} {month} {day-of-week}</c> (five fields, without seconds, are
/// accepted as Azure does), or a constant interval written as a TimeSpan (<c>hh:mm:ss</c>, <c>d.hh:mm:ss</c>).
/// </summary>
internal abstract class TimerSchedule
{
    /// <summary>The expression it was made from.</summary>
    public abstract string Expression { get; }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, or null when there is none.</summary>
    public abstract DateTimeOffset? Next(DateTimeOffset after);

    /// <summary>Parses <paramref name="expression"/>; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string expression, out TimerSchedule? schedule, out string? error)
    {
        schedule = null;
        error = null;
        var text = expression.Trim();
        if (text.Length == 0)
        {
            error = "the schedule is empty";
            return false;
        }
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 1 && text.Contains(':', StringComparison.Ordinal))
        {
            if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var interval) && interval > TimeSpan.Zero)
            {
                schedule = new Interval(text, interval);
                return true;
            }
            error = $"'{text}' is not a positive TimeSpan (hh:mm:ss)";
            return false;
        }
        if (fields.Length is not (5 or 6))
        {
            error = $"'{text}' has {fields.Length} fields; an NCRONTAB schedule has six: second minute hour day month day-of-week";
            return false;
        }
        var cron = CrontabSchedule.TryParse(string.Join(' ', fields), new CrontabSchedule.ParseOptions { IncludingSeconds = fields.Length == 6 });
        if (cron is null)
        {
            error = $"'{text}' is not a valid NCRONTAB expression (second minute hour day month day-of-week)";
            return false;
        }
        schedule = new Cron(text, cron);
        return true;
    }

    private sealed class Cron(string expression, CrontabSchedule cron) : TimerSchedule
    {
        // NCrontab answers its end time when nothing occurs before it (e.g. 30 February).
        private static readonly DateTime Horizon = new(9000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        public override string Expression => expression;

        public override DateTimeOffset? Next(DateTimeOffset after)
        {
            var next = cron.GetNextOccurrence(after.UtcDateTime, Horizon);
            return next >= Horizon ? null : new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc));
        }
    }

    private sealed class Interval(string expression, TimeSpan interval) : TimerSchedule
    {
        public override string Expression => expression;

        public override DateTimeOffset? Next(DateTimeOffset after) => after + interval;
    }
}
