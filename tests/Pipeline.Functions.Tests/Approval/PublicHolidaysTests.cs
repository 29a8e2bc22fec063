using Pipeline.Functions.Approval;

namespace Pipeline.Functions.Tests.Approval;

/// <summary>The default Vietnamese holiday table and configured holiday lists.</summary>
public sealed class PublicHolidaysTests
{
    [Fact]
    public void Default_table_lists_only_weekdays_in_the_covered_years()
    {
        var (first, last) = PublicHolidays.DefaultYears;
        Assert.All(PublicHolidays.DefaultEntries, entry =>
        {
            Assert.InRange(entry.Date.Year, first, last);
            Assert.NotEqual(DayOfWeek.Saturday, entry.Date.DayOfWeek);
            Assert.NotEqual(DayOfWeek.Sunday, entry.Date.DayOfWeek);
        });
        Assert.Equal(PublicHolidays.DefaultEntries.OrderBy(entry => entry.Date), PublicHolidays.DefaultEntries);
        Assert.Equal(PublicHolidays.DefaultEntries.Count, PublicHolidays.Default.Count);
        Assert.All(PublicHolidays.DefaultMakeUpWorkingDays, day => Assert.Equal(DayOfWeek.Saturday, day.DayOfWeek));
    }

    [Theory]
    [InlineData(2025, 12)] // the 11 statutory days and swapped 2/5
    [InlineData(2026, 13)] // with swapped 2/1 and 31/8, compensatory 27/4
    [InlineData(2027, 11)] // 11 statutory days, 1/5 moved to Monday 3/5
    public void Each_year_has_the_statutory_days_off(int year, int weekdaysOff)
    {
        Assert.Equal(weekdaysOff, PublicHolidays.Default.Count(day => day.Year == year));
        Assert.Contains(new DateOnly(year, 1, 1), PublicHolidays.Default);
        Assert.Contains(new DateOnly(year, 4, 30), PublicHolidays.Default);
        Assert.Contains(new DateOnly(year, 9, 2), PublicHolidays.Default);
    }

    [Fact]
    public void Announced_2026_dates_are_marked_as_announced()
    {
        var tet = PublicHolidays.DefaultEntries.Where(entry => entry.Date.Year == 2026 && entry.Date.Month == 2).ToList();

        Assert.Equal(Enumerable.Range(16, 5).Select(day => new DateOnly(2026, 2, day)), tet.Select(entry => entry.Date));
        Assert.All(tet, entry => Assert.Equal(PublicHolidays.HolidayBasis.Announced, entry.Basis));
        Assert.Contains(PublicHolidays.DefaultEntries, entry => entry.Date.Year == 2027 && entry.Basis == PublicHolidays.HolidayBasis.Estimated);
    }

    [Fact]
    public void Configured_dates_and_ranges_are_read()
    {
        var days = PublicHolidays.Parse([" 2026-01-01 ", "2026-02-14/2026-02-22", "2026-02-16"]);

        Assert.Equal(10, days.Count);
        Assert.Contains(new DateOnly(2026, 1, 1), days);
        Assert.Contains(new DateOnly(2026, 2, 14), days);
        Assert.Contains(new DateOnly(2026, 2, 22), days);
    }

    [Theory]
    [InlineData("2026-13-01", "entry 2 (\"2026-13-01\")")]
    [InlineData("16/02/2026", "entry 2 (\"16/02/2026\")")]
    [InlineData("2026-2-16", "entry 2 (\"2026-2-16\")")]
    [InlineData("  ", "entry 2 is empty")]
    [InlineData("2026-02-22/2026-02-14", "ends before it starts")]
    [InlineData("2026-02-14/2027-02-22", "more than 31 days")]
    [InlineData("2026-02-14/", "entry 2 (\"2026-02-14/\")")]
    public void A_bad_configured_entry_is_named_in_the_error(string bad, string expected)
    {
        var error = Assert.Throws<FormatException>(() => PublicHolidays.Parse(["2026-01-01", bad, "2026-04-30"]));

        Assert.Contains(expected, error.Message);
    }
}
