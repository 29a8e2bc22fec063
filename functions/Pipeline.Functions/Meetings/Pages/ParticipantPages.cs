using System.Globalization;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Storage;
using Pipeline.Functions.Links;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// The pages participants reach from the personal link in the meeting mail (API.md "Meetings"): <c>GET /meetings/{token}</c>
/// shows the meeting, the agenda items they may see, the pack and what awaits their answer, and never changes the
/// meeting (mail scanners open links before people do); <c>…/pack</c> and <c>…/documents/{id}</c> serve their watermarked
/// copy of the pack and the archive PDFs of documents on items they may see; <c>POST …/opinions/{item}</c> and
/// <c>POST …/votes/{item}</c> record a written opinion or a vote once. As with the approval links, the token is the only
/// credential (no API key, no cookie), every response is uncacheable, unframeable and sends no Referer, cross-site
/// posts are refused and every caller address is rate-limited. Every view, read and refusal is in the meeting's audit trail.
/// </summary>
public static partial class ParticipantPages
{
    private const int MaxAskedLength = 64;

    /// <summary>Services the participant routes need.</summary>
    public sealed record Services(MeetingLinks Links, MeetingStore Store, MeetingPacks Packs, DocumentCatalog Catalog, IBlobStore Blobs, TimeProvider Clock,
        MailedLinkOptions Options);

    internal static async Task<IResult> ShowAsync(string token, HttpContext http, Services s, LinkLimiter limiter, CancellationToken ct)
    {
        var (link, refusal) = await CheckAsync(token, http, s, limiter, ct);
        if (refusal is not null) return refusal;
        var view = await ViewAsync(link, token, http, s, ct);
        // An access record, not a state change: who saw the meeting's page, from where.
        await AuditMeetingAsync(s, link, "meeting-page-viewed", http, [], ct);
        return MeetingPageShell.Html(http, StatusCodes.Status200OK, view.Meeting.Plan.Title, ParticipantPage.Render(view));
    }

    internal static async Task<IResult> PackAsync(string token, string? version, HttpContext http, Services s, LinkLimiter limiter, CancellationToken ct)
    {
        var (link, refusal) = await CheckAsync(token, http, s, limiter, ct);
        if (refusal is not null) return refusal;
        var meeting = link.Meeting!;
        var number = version is null ? meeting.PackVersion
            : int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var asked) ? asked : 0;
        if (number <= 0 || (await s.Store.PacksAsync(meeting.Id, ct)).All(p => p.Version != number))
            return ParticipantRefusals.NotFound(http, "Không có bản tài liệu họp này.");

        // The documents are asked again: one whose secrecy was raised since the version was built is not served to everyone.
        var versionPlan = await s.Store.PackPlanAsync(meeting.Id, number, ct);
        if (versionPlan is null || await MeetingDocuments.ProblemsAsync(versionPlan, meeting.Office, s.Catalog, ct) is { Count: > 0 })
        {
            await AuditMeetingAsync(s, link, "meeting-access-refused", http, [("asked", "pack"), ("version", number), ("reason", "documents-not-ready")], ct);
            return ParticipantRefusals.Restricted(http);
        }

        // The participant's own copy: only the items they may see, their name on every page.
        var path = await s.Packs.ParticipantCopyAsync(meeting, number, link.Participant!, ct);
        await AuditMeetingAsync(s, link, "pack-opened", http, [("version", number)], ct);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Pdf(http, stream, "tai-lieu-hop.pdf");
    }

    internal static async Task<IResult> DocumentAsync(string token, string documentId, HttpContext http, Services s, LinkLimiter limiter, CancellationToken ct)
    {
        var (link, refusal) = await CheckAsync(token, http, s, limiter, ct);
        if (refusal is not null) return refusal;
        var meeting = link.Meeting!;
        var email = link.Participant!.Email;
        var items = meeting.Plan.Agenda.Where(i => i.DocumentIds.Contains(documentId, StringComparer.Ordinal)).ToList();
        var item = items.FirstOrDefault(i => i.VisibleTo(email));
        if (item is null)
        {
            // Asking for what the page never offered is recorded (who tried what) and counted like a failed link: it is what probing looks like.
            var reason = items.Count == 0 ? "not-on-agenda" : "restricted-item";
            await AuditMeetingAsync(s, link, "meeting-access-refused", http, [("asked", "document"), ("documentId", Asked(documentId)), ("reason", reason)], ct);
            if (!limiter.TryFail(http.Connection.RemoteIpAddress)) return ParticipantRefusals.TooMany(http);
            return items.Count == 0
                ? ParticipantRefusals.NotFound(http, "Tài liệu này không có trong chương trình cuộc họp.")
                : ParticipantRefusals.Restricted(http);
        }

        var document = await s.Catalog.GetAsync(documentId, ct);
        if (document?.ArchiveSha256 is not { } sha256) return ParticipantRefusals.NotFound(http, "Tài liệu chưa có bản PDF để xem.");
        // Secrecy is read now: a document found or marked secret after the agenda was written is not served on an item open to everyone.
        if (!MeetingDocuments.MayShow(document, item))
        {
            await AuditMeetingAsync(s, link, "meeting-access-refused", http, [("asked", "document"), ("documentId", documentId), ("reason", "secret-on-open-item")], ct);
            return ParticipantRefusals.Restricted(http);
        }
        var stream = await s.Blobs.OpenReadAsync(sha256, ct)
            ?? throw new InvalidOperationException($"Blob {sha256} (archive of {document.Id}) is missing from the blob store.");
        // In both trails: the meeting's says what its participants read, the document's says who read it and through what.
        await AuditMeetingAsync(s, link, "document-opened", http, [("documentId", documentId), ("item", item.Number)], ct);
        await s.Catalog.Audit.AppendAsync(documentId, new AuditEntry("read-by-meeting-link", email,
            Detail(http, [("meetingId", meeting.Id), ("item", item.Number)])), ct);
        return Pdf(http, stream, "van-ban.pdf");
    }

    // The page's data, read once: the documents of the visible items only, so nothing of a restricted item is even loaded.
    private static async Task<ParticipantView> ViewAsync(ParticipantLink link, string token, HttpContext http, Services s, CancellationToken ct)
    {
        var meeting = link.Meeting!;
        var documents = new Dictionary<string, DocumentRecord?>(StringComparer.Ordinal);
        var visible = meeting.Plan.Agenda.Where(i => i.VisibleTo(link.Participant!.Email)).ToList();
        foreach (var id in visible.SelectMany(i => i.DocumentIds).Distinct(StringComparer.Ordinal))
        {
            // A document that is secret now, on an item open to everyone, is not described (nor linked) at all.
            var document = await s.Catalog.GetAsync(id, ct);
            documents[id] = document is not null && visible.Where(i => i.DocumentIds.Contains(id, StringComparer.Ordinal)).All(i => MeetingDocuments.MayShow(document, i)) ? document : null;
        }
        return new ParticipantView(meeting, link.Participant!, await s.Store.PacksAsync(meeting.Id, ct), await s.Store.OpinionsAsync(meeting.Id, ct),
            await s.Store.VotesAsync(meeting.Id, ct), documents, s.Clock.GetUtcNow().UtcDateTime,
            LinkPath(http, token));
    }

    // The same check for every route, with failures counted against the address; genuine links never count.
    private static async Task<(ParticipantLink Link, IResult? Refusal)> CheckAsync(string token, HttpContext http, Services s, LinkLimiter limiter, CancellationToken ct)
    {
        var link = await ParticipantLink.CheckAsync(token, s.Links, s.Store, s.Clock.GetUtcNow(), ct);
        if (link.IsFailure && !limiter.TryFail(http.Connection.RemoteIpAddress)) return (link, ParticipantRefusals.TooMany(http));
        return (link, link.State == ParticipantLinkState.Usable ? null : ParticipantRefusals.ForLink(http, link));
    }

    private static IResult Pdf(HttpContext http, Stream stream, string fileName)
    {
        LinkPage.ProtectResponse(http.Response);
        // A generic name: the meeting's or a document's title would otherwise sit in the downloads list.
        http.Response.Headers.ContentDisposition = $"inline; filename=\"{fileName}\"";
        // No ranges: a viewer fetching a PDF in pieces would make one read look like dozens in the audit trail.
        return TypedResults.Stream(stream, "application/pdf", enableRangeProcessing: false);
    }

    private static Task AuditMeetingAsync(Services s, ParticipantLink link, string action, HttpContext http, (string Name, object? Value)[] fields, CancellationToken ct) =>
        s.Store.Audit.AppendAsync(link.Meeting!.AuditKey, new AuditEntry(action, link.Participant!.Email, Detail(http, fields)), ct);

    // The entry's own facts, then where the request came from, so "who saw what, when, from where" is answerable.
    private static string Detail(HttpContext http, (string Name, object? Value)[] fields)
    {
        var detail = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in fields) detail[name] = value;
        detail["clientAddress"] = LinkLimiter.ClientAddress(http);
        detail["userAgent"] = LinkLimiter.UserAgent(http);
        return MeetingStore.Serialize(detail);
    }

    // What a caller asked for goes into the trail, but bounded: ids are 32 characters, anything longer is not one.
    private static string Asked(string text) => text.Length > MaxAskedLength ? text[..MaxAskedLength] + "…" : text;


}
