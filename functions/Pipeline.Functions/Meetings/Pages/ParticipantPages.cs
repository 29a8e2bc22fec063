using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Pipeline.Functions.Approval;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Storage;

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

    /// <summary>Maps the participant routes under <c>/meetings</c>.</summary>
    public static IEndpointRouteBuilder MapParticipantPages(this IEndpointRouteBuilder app)
    {
        var (pages, limiter) = ApprovalLinkLimiter.LimitedGroup(app, "/meetings", "Meeting participant links", ParticipantRefusals.TooMany);
        pages.MapGet("/{token}", (string token, HttpContext http, [AsParameters] Services s, CancellationToken ct) => ShowAsync(token, http, s, limiter, ct))
            .WithName("GetMeetingParticipantPage")
            .WithSummary("The participant's page: the meeting, the items they may see, the pack, open opinions and votes. Never changes the meeting.");
        pages.MapGet("/{token}/pack", (string token, string? version, HttpContext http, [AsParameters] Services s, CancellationToken ct) => PackAsync(token, version, http, s, limiter, ct))
            .WithName("GetMeetingParticipantPack")
            .WithSummary("The participant's watermarked copy of the pack (current version, or ?version=N); every read is audited.");
        pages.MapGet("/{token}/documents/{documentId}", (string token, string documentId, HttpContext http, [AsParameters] Services s, CancellationToken ct) =>
                DocumentAsync(token, documentId, http, s, limiter, ct))
            .WithName("GetMeetingParticipantDocument")
            .WithSummary("The archive PDF of a document on an agenda item the participant may see; reads and refusals are audited.");
        pages.MapPost("/{token}/opinions/{item}", (string token, string item, HttpContext http, [AsParameters] Services s, CancellationToken ct) =>
                AnswerOpinionAsync(token, item, http, s, limiter, ct))
            .WithName("PostMeetingParticipantOpinion")
            .WithSummary("Records answer=agree|disagree|other with comment on an item's opinion request, once.");
        pages.MapPost("/{token}/votes/{item}", (string token, string item, HttpContext http, [AsParameters] Services s, CancellationToken ct) =>
                CastVoteAsync(token, item, http, s, limiter, ct))
            .WithName("PostMeetingParticipantVote")
            .WithSummary("Records choice=yes|no|abstain on an item's open vote, once.");
        return app;
    }

    /// <summary>Services the participant routes need.</summary>
    public sealed record Services([FromServices] MeetingLinks Links, [FromServices] MeetingStore Store, [FromServices] MeetingPacks Packs,
        [FromServices] DocumentCatalog Catalog, [FromServices] IBlobStore Blobs, [FromServices] TimeProvider Clock, [FromServices] ApprovalOptions Options);

    private static async Task<IResult> ShowAsync(string token, HttpContext http, Services s, ApprovalLinkLimiter limiter, CancellationToken ct)
    {
        var (link, refusal) = await CheckAsync(token, http, s, limiter, ct);
        if (refusal is not null) return refusal;
        var view = await ViewAsync(link, token, http, s, ct);
        // An access record, not a state change: who saw the meeting's page, from where.
        await AuditMeetingAsync(s, link, "meeting-page-viewed", http, [], ct);
        return MeetingPageShell.Html(http, StatusCodes.Status200OK, view.Meeting.Plan.Title, ParticipantPage.Render(view));
    }

    private static async Task<IResult> PackAsync(string token, string? version, HttpContext http, Services s, ApprovalLinkLimiter limiter, CancellationToken ct)
    {
        var (link, refusal) = await CheckAsync(token, http, s, limiter, ct);
        if (refusal is not null) return refusal;
        var meeting = link.Meeting!;
        var number = version is null ? meeting.PackVersion
            : int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var asked) ? asked : 0;
        if (number <= 0 || (await s.Store.PacksAsync(meeting.Id, ct)).All(p => p.Version != number))
            return ParticipantRefusals.NotFound(http, "Không có bản tài liệu họp này.");

        // The participant's own copy: only the items they may see, their name on every page.
        var path = await s.Packs.ParticipantCopyAsync(meeting, number, link.Participant!, ct);
        await AuditMeetingAsync(s, link, "pack-opened", http, [("version", number)], ct);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Pdf(http, stream, "tai-lieu-hop.pdf");
    }

    private static async Task<IResult> DocumentAsync(string token, string documentId, HttpContext http, Services s, ApprovalLinkLimiter limiter, CancellationToken ct)
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
        foreach (var id in meeting.Plan.Agenda.Where(i => i.VisibleTo(link.Participant!.Email)).SelectMany(i => i.DocumentIds).Distinct(StringComparer.Ordinal))
            documents[id] = await s.Catalog.GetAsync(id, ct);
        return new ParticipantView(meeting, link.Participant!, await s.Store.PacksAsync(meeting.Id, ct), await s.Store.OpinionsAsync(meeting.Id, ct),
            await s.Store.VotesAsync(meeting.Id, ct), documents, s.Clock.GetUtcNow().UtcDateTime,
            LinkPath(http, token));
    }

    // The same check for every route, with failures counted against the address; genuine links never count.
    private static async Task<(ParticipantLink Link, IResult? Refusal)> CheckAsync(string token, HttpContext http, Services s, ApprovalLinkLimiter limiter, CancellationToken ct)
    {
        var link = await ParticipantLink.CheckAsync(token, s.Links, s.Store, s.Clock.GetUtcNow(), ct);
        if (link.IsFailure && !limiter.TryFail(http.Connection.RemoteIpAddress)) return (link, ParticipantRefusals.TooMany(http));
        return (link, link.State == ParticipantLinkState.Usable ? null : ParticipantRefusals.ForLink(http, link));
    }

    private static IResult Pdf(HttpContext http, Stream stream, string fileName)
    {
        ApprovalPageShell.ProtectResponse(http.Response);
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
        detail["clientAddress"] = ApprovalLinkLimiter.ClientAddress(http);
        detail["userAgent"] = ApprovalLinkLimiter.UserAgent(http);
        return MeetingStore.Serialize(detail);
    }

    // What a caller asked for goes into the trail, but bounded: ids are 32 characters, anything longer is not one.
    private static string Asked(string text) => text.Length > MaxAskedLength ? text[..MaxAskedLength] + "…" : text;


}
