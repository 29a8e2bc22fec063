namespace Pipeline.Functions.Approval;

/// <summary>How approvals run (host.json <c>pipeline.approvals</c>).</summary>
public sealed record ApprovalOptions
{
    /// <summary>
    /// Working time a link keeps working after its step's due time (<c>linkGrace</c>, ISO 8601 like the steps' due),
    /// so an approver who opens the mail just after the escalation can still decide. When it runs out with no decision
    /// the approval ends <c>Expired</c>.
    /// </summary>
    public TimeSpan LinkGrace { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Days off on top of the built-in Vietnamese public holidays (<c>holidays</c>: dates or ranges, see <see cref="PublicHolidays.Parse"/>).</summary>
    public IReadOnlySet<DateOnly> Holidays { get; init; } = new HashSet<DateOnly>();

    /// <summary>Weekend days worked in exchange for a swapped day off, on top of the built-in ones (<c>makeUpWorkingDays</c>).</summary>
    public IReadOnlySet<DateOnly> MakeUpWorkingDays { get; init; } = new HashSet<DateOnly>();

    /// <summary>
    /// The address approvers reach the app at, for links in mail (<c>publicBaseUrl</c>, e.g. <c>https://pipeline.tinhuy.vn</c>).
    /// Null: the address the app listens on, which is right for the embedded default on one machine only.
    /// </summary>
    public Uri? PublicBaseUrl { get; init; }

    /// <summary>Link requests a client address may make that fail (tampered, unknown, used, expired) per minute before it gets 429 (<c>maxFailedLinksPerMinute</c>).</summary>
    public int MaxFailedLinksPerMinute { get; init; } = 20;

    /// <summary>Link requests of any kind a client address may make per minute (<c>maxLinkRequestsPerMinute</c>); generous, because a whole office may sit behind one address.</summary>
    public int MaxLinkRequestsPerMinute { get; init; } = 3000;

    /// <summary>The office calendar: built-in holidays and make-up days plus the configured ones.</summary>
    public WorkingDayCalendar Calendar() => WorkingDayCalendar.Vietnam(
        PublicHolidays.Default.Concat(Holidays), PublicHolidays.DefaultMakeUpWorkingDays.Concat(MakeUpWorkingDays));
}
