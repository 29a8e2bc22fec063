using System.Globalization;
using System.Text.RegularExpressions;

namespace Pipeline.Functions.Approval;

/// <summary>
/// Office working time: Monday to Friday in the office's local time, minus public holidays, plus the
/// Saturdays the government turns into working days when it swaps a day to lengthen a holiday.
/// Due times of approval steps are counted on this calendar, so "P2D" given on a Friday afternoon
/// before Tết still leaves the approver two full working days.
/// </summary>
/// <remarks>
/// Pure and thread-safe once constructed. The office time zone is a fixed UTC offset rather than a
/// tz database zone: Vietnam has used UTC+7 without daylight saving since 1975, and a fixed offset keeps
/// the calculation identical on hosts without tzdata (containers, Windows without ICU).
/// </remarks>
public sealed partial class WorkingDayCalendar
{
    /// <summary>Vietnam's offset from UTC (Indochina Time, no daylight saving).</summary>
    public static readonly TimeSpan VietnamOffset = TimeSpan.FromHours(7);

    /// <summary>The longest due time <see cref="ParseDue"/> accepts: about a year and a half of working days.</summary>
    public static readonly TimeSpan MaxDue = TimeSpan.FromDays(366);

    private static readonly TimeSpan OneDay = TimeSpan.FromDays(1);

    private readonly HashSet<DateOnly> _holidays;
    private readonly HashSet<DateOnly> _makeUpWorkingDays;

    /// <summary>A calendar for an office at <paramref name="utcOffset"/>.</summary>
    /// <param name="holidays">Days off, as local dates. Weekends need not be listed.</param>
    /// <param name="utcOffset">The office's fixed offset from UTC; <see cref="VietnamOffset"/> for Vietnam.</param>
    /// <param name="makeUpWorkingDays">
    /// Weekend days worked in exchange for a swapped day off (ngày làm bù), e.g. Saturday 10/1/2026 for Friday 2/1/2026.
    /// A date that is also listed in <paramref name="holidays"/> stays a day off.
    /// </param>
    public WorkingDayCalendar(IEnumerable<DateOnly> holidays, TimeSpan utcOffset, IEnumerable<DateOnly>? makeUpWorkingDays = null)
    {
        ArgumentNullException.ThrowIfNull(holidays);
        // DateTimeOffset accepts whole minutes within ±14 h; failing here names the mistake instead of the first call.
        if (utcOffset.Ticks % TimeSpan.TicksPerMinute != 0 || utcOffset.Duration() > TimeSpan.FromHours(14))
            throw new ArgumentOutOfRangeException(nameof(utcOffset), utcOffset, "A UTC offset is whole minutes within ±14 hours.");

        _holidays = [.. holidays];
        _makeUpWorkingDays = makeUpWorkingDays is null ? [] : [.. makeUpWorkingDays];
        UtcOffset = utcOffset;
    }

    /// <summary>
    /// The calendar of a Vietnamese government office: UTC+7 with <paramref name="holidays"/> (default
    /// <see cref="PublicHolidays.Default"/>) and <paramref name="makeUpWorkingDays"/> (default
    /// <see cref="PublicHolidays.DefaultMakeUpWorkingDays"/>).
    /// </summary>
    public static WorkingDayCalendar Vietnam(IEnumerable<DateOnly>? holidays = null, IEnumerable<DateOnly>? makeUpWorkingDays = null) =>
        new(holidays ?? PublicHolidays.Default, VietnamOffset, makeUpWorkingDays ?? PublicHolidays.DefaultMakeUpWorkingDays);

    /// <summary>The office's offset from UTC; dates are local dates at this offset.</summary>
    public TimeSpan UtcOffset { get; }

    /// <summary>
    /// True for Monday to Friday that are not holidays, and for listed make-up working days
    /// (holidays win over make-up days).
    /// </summary>
    public bool IsWorkingDay(DateOnly date)
    {
        if (_holidays.Contains(date)) return false;
        if (_makeUpWorkingDays.Contains(date)) return true;
        return date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
    }

    /// <summary>
    /// The instant <paramref name="duration"/> of working time after <paramref name="start"/>, counting only time
    /// that falls on working days in office local time. A start on a day off counts from 00:00 of the next working day.
    /// The result is expressed at the office offset.
    /// </summary>
    /// <remarks>
    /// Working time is whole calendar days, not office hours: one working day is 24 hours of a working day, so
    /// Friday 16:00 + 1 day is Monday 16:00 and a step due "P1D" from 16:00 gives the approver until 16:00 the next
    /// working day. An end exactly at midnight is returned as that midnight (the end of the last working day),
    /// not moved past the following days off. A zero duration returns <paramref name="start"/> unchanged.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative.</exception>
    public DateTimeOffset AddWorkingTime(DateTimeOffset start, TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "Working time cannot be negative.");

        var local = start.ToOffset(UtcOffset);
        if (duration == TimeSpan.Zero) return local;

        // Walk day by day in local wall-clock time; with a fixed offset every local day is exactly 24 hours.
        var cursor = local.DateTime;
        var remaining = duration;
        while (true)
        {
            var day = DateOnly.FromDateTime(cursor);
            var nextMidnight = cursor.Date + OneDay;
            if (IsWorkingDay(day))
            {
                var available = nextMidnight - cursor;
                if (remaining <= available) return new DateTimeOffset(cursor + remaining, UtcOffset);
                remaining -= available;
            }
            cursor = nextMidnight;
        }
    }

    /// <summary>
    /// Reads an ISO 8601 duration of working time: days and time only, <c>P2D</c>, <c>PT12H</c>, <c>P1DT4H</c>,
    /// <c>PT90M</c>, <c>PT30S</c> (whole numbers). <c>P1D</c> is one working day (24 working hours, see
    /// <see cref="AddWorkingTime"/>).
    /// </summary>
    /// <remarks>
    /// Weeks, months and years are rejected rather than guessed: "a week" of working time could mean five working
    /// days or seven, and a month has no fixed length, so whoever writes the route says it in days. Zero and
    /// durations longer than <see cref="MaxDue"/> are rejected too: neither is a real due time, and both are
    /// typical typos.
    /// </remarks>
    /// <exception cref="FormatException">The text is not such a duration; the message quotes it and says why.</exception>
    public static TimeSpan ParseDue(string iso)
    {
        if (string.IsNullOrWhiteSpace(iso))
            throw new FormatException("A due time is required: an ISO 8601 duration such as P2D or PT12H.");

        var text = iso.Trim();
        var match = DueDuration().Match(text);
        if (!match.Success)
        {
            throw new FormatException(DueUnitMistake(text) ??
                $"Due time \"{iso}\" is not an ISO 8601 duration of days and hours, such as P2D, PT12H or P1DT4H.");
        }

        TimeSpan due;
        try
        {
            checked
            {
                var ticks = Part(match, "d") * TimeSpan.TicksPerDay + Part(match, "h") * TimeSpan.TicksPerHour
                    + Part(match, "m") * TimeSpan.TicksPerMinute + Part(match, "s") * TimeSpan.TicksPerSecond;
                due = TimeSpan.FromTicks(ticks);
            }
        }
        catch (OverflowException)
        {
            throw new FormatException($"Due time \"{iso}\" is longer than {MaxDue.Days} days.");
        }

        if (due == TimeSpan.Zero) throw new FormatException($"Due time \"{iso}\" is zero; a step needs time to decide.");
        if (due > MaxDue) throw new FormatException($"Due time \"{iso}\" is longer than {MaxDue.Days} days.");
        return due;
    }

    private static long Part(Match match, string name)
    {
        var group = match.Groups[name];
        return group.Success ? long.Parse(group.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture) : 0;
    }

    // A specific message for the usual mistakes, so a route author knows what to write instead.
    private static string? DueUnitMistake(string text)
    {
        var upper = text.ToUpperInvariant();
        if (!upper.StartsWith('P')) return null;
        var datePart = upper.Split('T')[0];
        if (datePart.Contains('W'))
            return $"Due time \"{text}\" uses weeks (W); write working days instead, e.g. P5D for five working days.";
        if (datePart.Contains('Y') || datePart.Contains('M'))
            return $"Due time \"{text}\" uses years or months, which have no fixed length; write working days instead, e.g. P20D.";
        if (upper.Contains('.') || upper.Contains(','))
            return $"Due time \"{text}\" has a fraction; use whole numbers of a smaller unit, e.g. PT36H instead of P1.5D.";
        if (upper is "P" or "PT" || upper.EndsWith('T'))
            return $"Due time \"{text}\" has no amount; write e.g. P2D or PT12H.";
        return null;
    }

    // Whole numbers only; at least one part; the time designator only when a time part follows.
    [GeneratedRegex(@"^P(?=\d|T\d)(?:(?<d>\d{1,9})D)?(?:T(?=\d)(?:(?<h>\d{1,9})H)?(?:(?<m>\d{1,9})M)?(?:(?<s>\d{1,9})S)?)?$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex DueDuration();
}
