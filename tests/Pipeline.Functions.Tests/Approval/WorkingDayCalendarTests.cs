using Pipeline.Functions.Approval;

namespace Pipeline.Functions.Tests.Approval;

/// <summary>Due times and reminders counted in Vietnamese working time.</summary>
public sealed class WorkingDayCalendarTests
{
    private static readonly WorkingDayCalendar Calendar = WorkingDayCalendar.Vietnam();

    private static DateTimeOffset Hanoi(int year, int month, int day, int hour, int minute = 0) =>
        new(year, month, day, hour, minute, 0, TimeSpan.FromHours(7));

    [Fact]
    public void One_working_day_from_Friday_afternoon_is_Monday_afternoon()
    {
        var due = Calendar.AddWorkingTime(Hanoi(2025, 3, 7, 16), WorkingDayCalendar.ParseDue("P1D"));

        Assert.Equal(Hanoi(2025, 3, 10, 16), due);
        Assert.Equal(TimeSpan.FromHours(7), due.Offset);
    }

    [Fact]
    public void Tet_2026_does_not_count()
    {
        // Off Saturday 14/2 to Sunday 22/2/2026: 14 hours on Friday 13/2, the other 10 on Monday 23/2.
        var due = Calendar.AddWorkingTime(Hanoi(2026, 2, 13, 10), WorkingDayCalendar.ParseDue("P1D"));

        Assert.Equal(Hanoi(2026, 2, 23, 10), due);
    }

    [Fact]
    public void Reunification_and_labour_day_do_not_count()
    {
        // 2026: Thursday 30/4 and Friday 1/5 off, then the weekend.
        Assert.Equal(Hanoi(2026, 5, 5, 12), Calendar.AddWorkingTime(Hanoi(2026, 4, 29, 12), WorkingDayCalendar.ParseDue("P2D")));

        // 2025: Wednesday 30/4 to Friday 2/5 off (2/5 swapped), then the weekend.
        Assert.Equal(Hanoi(2025, 5, 5, 9), Calendar.AddWorkingTime(Hanoi(2025, 4, 29, 9), WorkingDayCalendar.ParseDue("P1D")));
    }

    [Fact]
    public void A_start_on_Saturday_counts_from_Monday_midnight()
    {
        var due = Calendar.AddWorkingTime(Hanoi(2025, 3, 8, 15), WorkingDayCalendar.ParseDue("PT12H"));

        Assert.Equal(Hanoi(2025, 3, 10, 12), due);
    }

    [Fact]
    public void The_start_day_is_judged_in_Vietnam_time_not_UTC()
    {
        // Friday 20:00 UTC is already Saturday 03:00 in Hà Nội.
        var due = Calendar.AddWorkingTime(new DateTimeOffset(2025, 3, 7, 20, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(1));

        Assert.Equal(Hanoi(2025, 3, 10, 1), due);
    }

    [Fact]
    public void A_make_up_Saturday_counts_as_a_working_day()
    {
        // Friday 2/1/2026 was swapped for Saturday 10/1/2026.
        Assert.False(Calendar.IsWorkingDay(new DateOnly(2026, 1, 2)));
        Assert.True(Calendar.IsWorkingDay(new DateOnly(2026, 1, 10)));
        Assert.Equal(Hanoi(2026, 1, 10, 12), Calendar.AddWorkingTime(Hanoi(2026, 1, 9, 12), WorkingDayCalendar.ParseDue("P1D")));
    }

    [Fact]
    public void Weekdays_are_working_days_unless_they_are_holidays()
    {
        var calendar = new WorkingDayCalendar([new DateOnly(2025, 3, 12)], WorkingDayCalendar.VietnamOffset);

        Assert.True(calendar.IsWorkingDay(new DateOnly(2025, 3, 11)));
        Assert.False(calendar.IsWorkingDay(new DateOnly(2025, 3, 12)));
        Assert.False(calendar.IsWorkingDay(new DateOnly(2025, 3, 15)));
        Assert.False(calendar.IsWorkingDay(new DateOnly(2025, 3, 16)));
    }

    [Fact]
    public void Half_due_reminder_falls_halfway_in_working_time()
    {
        var start = Hanoi(2025, 3, 6, 14); // Thursday
        var due = WorkingDayCalendar.ParseDue("P2D");

        Assert.Equal(Hanoi(2025, 3, 10, 14), Calendar.AddWorkingTime(start, due));
        Assert.Equal(Hanoi(2025, 3, 7, 14), Calendar.AddWorkingTime(start, due / 2));
    }

    [Fact]
    public void Half_due_reminder_skips_a_holiday_too()
    {
        // Friday 16:00 before Tết 2026 with one day: 8 hours on Friday, 4 more after Tết.
        var start = Hanoi(2026, 2, 13, 16);
        var due = WorkingDayCalendar.ParseDue("P1D");

        Assert.Equal(Hanoi(2026, 2, 23, 4), Calendar.AddWorkingTime(start, due / 2));
        Assert.Equal(Hanoi(2026, 2, 23, 16), Calendar.AddWorkingTime(start, due));
    }

    [Fact]
    public void Negative_working_time_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Calendar.AddWorkingTime(Hanoi(2025, 3, 7, 16), TimeSpan.FromHours(-1)));
    }

    [Theory]
    [InlineData("P2D", 48 * 60)]
    [InlineData("PT12H", 12 * 60)]
    [InlineData("P1DT4H", 28 * 60)]
    [InlineData("PT90M", 90)]
    [InlineData(" p3d ", 72 * 60)]
    public void Due_times_are_read_from_ISO_8601_days_and_hours(string text, int minutes)
    {
        Assert.Equal(TimeSpan.FromMinutes(minutes), WorkingDayCalendar.ParseDue(text));
    }

    [Theory]
    [InlineData("P1W", "weeks")]
    [InlineData("P1M", "months")]
    [InlineData("P1Y2D", "years")]
    [InlineData("P1.5D", "fraction")]
    [InlineData("P", "no amount")]
    [InlineData("PT", "no amount")]
    [InlineData("P1DT", "no amount")]
    [InlineData("P0D", "zero")]
    [InlineData("P400D", "longer than")]
    [InlineData("P99999999999D", "ISO 8601")]
    [InlineData("2 days", "ISO 8601")]
    [InlineData("-P1D", "ISO 8601")]
    [InlineData("", "required")]
    public void Unusable_due_times_are_refused_with_the_reason(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => WorkingDayCalendar.ParseDue(text));

        Assert.Contains(reason, error.Message);
        if (text.Trim().Length > 0) Assert.Contains(text, error.Message);
    }
}
