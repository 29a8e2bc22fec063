using System.Globalization;

namespace Pipeline.Functions.Approval;

/// <summary>
/// Vietnamese public holidays for government offices (Labour Code 2019, art. 112), 2025 to 2027, and a parser for
/// a configured list. The table holds the weekdays actually off for civil servants: the holiday itself, the
/// compensatory day when it falls on a weekend (nghỉ bù), and swapped days (nghỉ hoán đổi) whose weekend make-up
/// day is listed in <see cref="DefaultMakeUpWorkingDays"/>. Weekend days inside a holiday period are not listed;
/// the calendar skips weekends anyway.
/// </summary>
/// <remarks>
/// Each year the government fixes Tết, the day next to National Day and any swaps only months ahead, so the table
/// says for every date whether it was announced or is an estimate (<see cref="HolidayBasis"/>). Offices replace
/// the list through configuration when a new announcement comes out; <see cref="Parse"/> reads that list.
/// </remarks>
public static class PublicHolidays
{
    /// <summary>Why a date is in the table.</summary>
    public enum HolidayBasis
    {
        /// <summary>In the government's announcement for civil servants for that year.</summary>
        Announced,
        /// <summary>Fixed by the Labour Code with no choice left to the government (the date, or the next weekday when it falls on a weekend); lunar dates computed for UTC+7.</summary>
        LabourCode,
        /// <summary>Not yet announced; our estimate following earlier years' arrangements. Check when the announcement comes out.</summary>
        Estimated,
    }

    /// <summary>One day off in the default table.</summary>
    /// <param name="Date">The local date.</param>
    /// <param name="Name">The holiday, in Vietnamese as printed in the announcements.</param>
    /// <param name="Basis">Whether the date was announced or is an estimate.</param>
    public sealed record Entry(DateOnly Date, string Name, HolidayBasis Basis);

    private const string NewYear = "Tết Dương lịch";
    private const string Tet = "Tết Nguyên đán";
    private const string HungKings = "Giỗ Tổ Hùng Vương";
    private const string Reunification = "Ngày Chiến thắng 30/4";
    private const string LabourDay = "Ngày Quốc tế Lao động 1/5";
    private const string NationalDay = "Quốc khánh 2/9";

    /// <summary>The default table, in date order.</summary>
    public static IReadOnlyList<Entry> DefaultEntries { get; } =
    [
        // 2025 — Tết Ất Tỵ (mùng 1 = Wed 29/1): off Sat 25/1 to Sun 2/2. Hùng Kings 10/3 lunar = Mon 7/4.
        // 30/4–1/5 off Wed 30/4 to Sun 4/5, Fri 2/5 swapped for Sat 26/4. National Day off Sat 30/8 to Tue 2/9.
        E(2025, 1, 1, NewYear, HolidayBasis.Announced),
        E(2025, 1, 27, Tet, HolidayBasis.Announced),
        E(2025, 1, 28, Tet, HolidayBasis.Announced),
        E(2025, 1, 29, Tet, HolidayBasis.Announced),
        E(2025, 1, 30, Tet, HolidayBasis.Announced),
        E(2025, 1, 31, Tet, HolidayBasis.Announced),
        E(2025, 4, 7, HungKings, HolidayBasis.Announced),
        E(2025, 4, 30, Reunification, HolidayBasis.Announced),
        E(2025, 5, 1, LabourDay, HolidayBasis.Announced),
        E(2025, 5, 2, LabourDay + " (nghỉ hoán đổi, làm bù thứ Bảy 26/4)", HolidayBasis.Announced),
        E(2025, 9, 1, NationalDay, HolidayBasis.Announced),
        E(2025, 9, 2, NationalDay, HolidayBasis.Announced),

        // 2026 — New Year off Thu 1/1 to Sun 4/1, Fri 2/1 swapped for Sat 10/1 (Government, 25/12/2025).
        // Tết Bính Ngọ (mùng 1 = Tue 17/2): off Sat 14/2 to Sun 22/2 (Notice 9441/TB-BNV, 16/10/2025).
        // Hùng Kings 10/3 lunar = Sun 26/4, so Mon 27/4 off. National Day off Sat 29/8 to Wed 2/9, Mon 31/8 swapped
        // for Sat 22/8 (same notice).
        E(2026, 1, 1, NewYear, HolidayBasis.Announced),
        E(2026, 1, 2, NewYear + " (nghỉ hoán đổi, làm bù thứ Bảy 10/1)", HolidayBasis.Announced),
        E(2026, 2, 16, Tet, HolidayBasis.Announced),
        E(2026, 2, 17, Tet, HolidayBasis.Announced),
        E(2026, 2, 18, Tet, HolidayBasis.Announced),
        E(2026, 2, 19, Tet, HolidayBasis.Announced),
        E(2026, 2, 20, Tet, HolidayBasis.Announced),
        E(2026, 4, 27, HungKings + " (nghỉ bù cho Chủ nhật 26/4)", HolidayBasis.LabourCode),
        E(2026, 4, 30, Reunification, HolidayBasis.LabourCode),
        E(2026, 5, 1, LabourDay, HolidayBasis.LabourCode),
        E(2026, 8, 31, NationalDay + " (nghỉ hoán đổi, làm bù thứ Bảy 22/8)", HolidayBasis.Announced),
        E(2026, 9, 1, NationalDay, HolidayBasis.Announced),
        E(2026, 9, 2, NationalDay, HolidayBasis.Announced),

        // 2027 — not announced yet. Tết Đinh Mùi (mùng 1 = Sat 6/2) falls on the same weekday as Tết 2024, when
        // offices were off Thu 8/2 to Wed 14/2/2024; estimated the same way: Thu 4/2 to Wed 10/2. Hùng Kings 10/3
        // lunar = Fri 16/4. 1/5 is a Saturday, so Mon 3/5 off. National Day Thu 2/9 with Fri 3/9 as the adjacent
        // day, as in 2021 when 2/9 was also a Thursday.
        E(2027, 1, 1, NewYear, HolidayBasis.LabourCode),
        E(2027, 2, 4, Tet, HolidayBasis.Estimated),
        E(2027, 2, 5, Tet, HolidayBasis.Estimated),
        E(2027, 2, 8, Tet, HolidayBasis.Estimated),
        E(2027, 2, 9, Tet, HolidayBasis.Estimated),
        E(2027, 2, 10, Tet, HolidayBasis.Estimated),
        E(2027, 4, 16, HungKings, HolidayBasis.LabourCode),
        E(2027, 4, 30, Reunification, HolidayBasis.LabourCode),
        E(2027, 5, 3, LabourDay + " (nghỉ bù cho thứ Bảy 1/5)", HolidayBasis.LabourCode),
        E(2027, 9, 2, NationalDay, HolidayBasis.LabourCode),
        E(2027, 9, 3, NationalDay, HolidayBasis.Estimated),
    ];

    /// <summary>The dates of <see cref="DefaultEntries"/>.</summary>
    public static IReadOnlySet<DateOnly> Default { get; } = DefaultEntries.Select(entry => entry.Date).ToHashSet();

    /// <summary>
    /// Saturdays worked in exchange for a swapped day off in the default table (all announced): 26/4/2025,
    /// 10/1/2026, 22/8/2026.
    /// </summary>
    public static IReadOnlySet<DateOnly> DefaultMakeUpWorkingDays { get; } =
        new HashSet<DateOnly> { new(2025, 4, 26), new(2026, 1, 10), new(2026, 8, 22) };

    /// <summary>The first and last year the default table covers; outside them only weekends are days off.</summary>
    public static (int First, int Last) DefaultYears => (2025, 2027);

    /// <summary>
    /// Reads a configured list of days off. Each entry is a date <c>yyyy-MM-dd</c> (e.g. <c>2026-02-16</c>) or an
    /// inclusive range <c>yyyy-MM-dd/yyyy-MM-dd</c> of at most 31 days (e.g. <c>2026-02-14/2026-02-22</c>, weekends
    /// inside are harmless). Surrounding spaces are ignored; duplicates are merged.
    /// </summary>
    /// <exception cref="FormatException">An entry is empty, not such a date or range, or a range runs backwards or is too long; the message gives the entry's position (from 1) and text.</exception>
    public static IReadOnlySet<DateOnly> Parse(IEnumerable<string> isoDates)
    {
        ArgumentNullException.ThrowIfNull(isoDates);

        var dates = new HashSet<DateOnly>();
        var position = 0;
        foreach (var raw in isoDates)
        {
            position++;
            var text = raw?.Trim();
            if (string.IsNullOrEmpty(text))
                throw new FormatException($"Holiday entry {position} is empty; write a date such as 2026-02-16.");

            var slash = text.IndexOf('/');
            if (slash < 0)
            {
                dates.Add(ParseDate(text, raw!, position));
                continue;
            }

            var first = ParseDate(text[..slash].Trim(), raw!, position);
            var last = ParseDate(text[(slash + 1)..].Trim(), raw!, position);
            if (last < first)
                throw new FormatException($"Holiday entry {position} (\"{raw}\") ends before it starts.");
            // Longer than any real holiday period (Tết is at most nine days off): almost certainly a mistyped year.
            if (last.DayNumber - first.DayNumber >= 31)
                throw new FormatException($"Holiday entry {position} (\"{raw}\") spans more than 31 days; list long periods as separate ranges.");
            for (var day = first; day <= last; day = day.AddDays(1)) dates.Add(day);
        }
        return dates;
    }

    private static DateOnly ParseDate(string text, string raw, int position) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new FormatException(
                $"Holiday entry {position} (\"{raw}\") is not a date yyyy-MM-dd or a range yyyy-MM-dd/yyyy-MM-dd, e.g. 2026-02-16.");

    private static Entry E(int year, int month, int day, string name, HolidayBasis basis) => new(new DateOnly(year, month, day), name, basis);
}
