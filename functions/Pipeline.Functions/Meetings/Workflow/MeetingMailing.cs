using Pipeline.Functions.Links;
using Pipeline.Functions.Mail;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// Sends a meeting's mails at most once each, as the approvals do: a stable key and time
/// per mail, recorded after sending, and the outbox keeps a keyed mail once.
/// </summary>
public sealed class MeetingMailing(MeetingStore store, IMailer mailer, MeetingLinks links, PublicAddress address)
{
    /// <summary>How long a participant's link works after the meeting starts (the minutes are read afterwards too).</summary>
    public static readonly TimeSpan LinkLifetimeAfterStart = TimeSpan.FromDays(90);

    /// <summary>Every participant's link, issued on first need.</summary>
    public Task<IReadOnlyList<MeetingLinkRecord>> LinksAsync(MeetingRecord meeting, CancellationToken ct) =>
        store.EnsureLinksAsync(meeting, meeting.Plan.StartsAt + LinkLifetimeAfterStart, SignedLinks.NewTokenId, ct);

    /// <summary>Tells every participant that pack <paramref name="version"/> is ready (the invitation for version 1), with their link.</summary>
    public async Task<int> SendPackReadyAsync(MeetingRecord meeting, int version, CancellationToken ct)
    {
        var built = (await store.PacksAsync(meeting.Id, ct)).First(p => p.Version == version).Built;
        var all = await LinksAsync(meeting, ct);
        var mails = all.Where(l => meeting.Plan.Participant(l.Participant) is not null)
            .Select(l => ($"p{version}-{l.TokenId}", l, (Func<Uri, MailMessage>)(uri => MeetingMails.PackReady(meeting.Plan.Participant(l.Participant)!, meeting.Plan, version, uri))));
        return await SendAsync(meeting, "pack", built, mails, ct);
    }

    /// <summary>Asks (or reminds) the participants who may see the item and have not answered for their written opinion.</summary>
    /// <param name="meeting">The meeting.</param>
    /// <param name="item">The item asked about.</param>
    /// <param name="reminder">False for the request, true for the reminder.</param>
    /// <param name="queued">When the orchestration decided to send (stable across retries).</param>
    /// <param name="ct">Cancellation.</param>
    public async Task<int> SendOpinionRequestAsync(MeetingRecord meeting, int item, bool reminder, DateTime queued, CancellationToken ct)
    {
        var request = (await store.OpinionsAsync(meeting.Id, ct)).FirstOrDefault(r => r.Item == item);
        if (request is null || request.Closed) return 0;
        var answered = request.Answers.Select(a => a.Participant).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var eligible = MeetingStore.Eligible(meeting, item).Where(e => !answered.Contains(e)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var agendaItem = meeting.Plan.Agenda.First(a => a.Number == item);
        var mails = (await LinksAsync(meeting, ct)).Where(l => eligible.Contains(l.Participant))
            .Select(l => ($"{(reminder ? "or" : "o")}{item}-{l.TokenId}", l, (Func<Uri, MailMessage>)(uri =>
                MeetingMails.OpinionRequested(meeting.Plan.Participant(l.Participant)!, meeting.Plan, agendaItem, request.Deadline, uri, reminder))));
        return await SendAsync(meeting, reminder ? "opinion-reminder" : "opinion-request", queued, mails, ct);
    }

    private async Task<int> SendAsync(MeetingRecord meeting, string kind, DateTime queued, IEnumerable<(string Key, MeetingLinkRecord Link, Func<Uri, MailMessage> Compose)> mails, CancellationToken ct)
    {
        var sent = await store.SentMailKeysAsync(meeting.Id, ct);
        var due = mails.Where(m => !sent.Contains(m.Key)).ToList();
        // Key and time are stable across retries, so a retried send names the same outbox file.
        return await mailer.SendEachOnceAsync(due, mail => (mail.Compose(address.LinkForPath("meetings/" + links.Issue(mail.Link))), mail.Key, queued),
            (mail, sentMail, token) => store.RecordMailAsync(meeting, mail.Key, kind, mail.Link.Participant, sentMail.MessageId, token), ct);
    }
}
