using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Pipeline.Durable;
using Pipeline.Durable.Storage;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Durable;
using Pipeline.Functions.Http;
using Pipeline.Functions.Intake;
using Pipeline.Functions.Storage;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// Meetings over the API (API.md "Meetings"): create and change the plan, publish (pack + invitations), hold the session
/// (attendance, opinions, votes, conclusions), conclude and archive (minutes). The secretary works through these with the key.
/// </summary>
public static partial class MeetingsApi
{
    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapMeetingsApi(this IEndpointRouteBuilder app)
    {
        var meetings = app.MapGroup("/api/meetings").WithTags("Meetings");
        meetings.MapPost("", Create).WithName("CreateMeeting").WithSummary("Creates a Draft meeting: title, startsAt, place, chair, secretary, participants, agenda.");
        meetings.MapGet("", List).WithName("ListMeetings").WithSummary("The office's meetings (?office=), latest first: id, title, startsAt, status, packVersion.");
        meetings.MapGet("/{id}", Get).WithName("GetMeeting").WithSummary("The meeting: agenda, status, pack versions, opinions, votes, conclusions.");
        meetings.MapPut("/{id}", Update).WithName("UpdateMeeting").WithSummary("Replaces the plan; after publishing this makes a new pack version and tells the participants.");
        meetings.MapPost("/{id}/publish", Publish).WithName("PublishMeeting").WithSummary("Builds the pack and mails each participant a personal link.");
        meetings.MapPost("/{id}/start", (string id, HttpContext http, [AsParameters] Services s, CancellationToken ct) =>
            Transition(id, http, s, MeetingStatus.Published, MeetingStatus.InSession, "meeting-started", ct)).WithName("StartMeeting");
        meetings.MapPost("/{id}/conclude", (string id, HttpContext http, [AsParameters] Services s, CancellationToken ct) =>
            Transition(id, http, s, MeetingStatus.InSession, MeetingStatus.Concluded, "meeting-concluded", ct)).WithName("ConcludeMeeting");
        meetings.MapPost("/{id}/archive", Archive).WithName("ArchiveMeeting").WithSummary("Writes the minutes into the archive (dossier of the meeting); the meeting becomes read-only.");
        meetings.MapPut("/{id}/attendance", SetAttendance).WithName("SetAttendance").WithSummary("{\"present\":[emails]}");
        meetings.MapPut("/{id}/items/{item:int}/conclusion", SetConclusion).WithName("SetConclusion").WithSummary("{\"text\":\"…\"}");
        meetings.MapPost("/{id}/items/{item:int}/opinions", RequestOpinions).WithName("RequestOpinions").WithSummary("{\"question\",\"deadline\"}: asks the participants for written opinions.");
        meetings.MapPost("/{id}/items/{item:int}/vote", OpenVote).WithName("OpenVote").WithSummary("{\"secret\":bool}: opens a vote in session.");
        meetings.MapPost("/{id}/items/{item:int}/votes", RecordVote).WithName("RecordVote").WithSummary("{\"participant\",\"choice\":\"yes|no|abstain\"}: the secretary records a vote cast in the room.");
        meetings.MapPost("/{id}/items/{item:int}/vote/close", CloseVote).WithName("CloseVote");
        meetings.MapGet("/{id}/pack", GetPack).WithName("GetMeetingPack").WithSummary("The master copy of the pack (?version=n; default the current one).");
        meetings.MapGet("/{id}/audit", GetAudit).WithName("GetMeetingAudit");
        return app;
    }

    /// <summary>Services the routes need.</summary>
    public sealed record Services(MeetingStore Store, DocumentCatalog Catalog, DurableTaskClient Client, IBlobStore Blobs);

    private static async Task<IResult> Create(HttpContext http, [AsParameters] Services s, CancellationToken ct)
    {
        var (body, bad) = await BodyAsync(http, ct);
        if (bad is not null) return bad;
        var office = body?["office"] is JsonValue o && o.TryGetValue<string>(out var name) ? name.Trim() : IntakeApi.DefaultOffice;
        var (plan, problems, documentsRefused) = await MeetingPlanReader.ReadAsync(body, office, s.Catalog, ct);
        if (plan is null) return PlanProblem(problems, documentsRefused);
        var meeting = await s.Store.CreateAsync(office, plan, AuditActors.Of(http), ct);
        await s.Client.ScheduleNewOrchestrationInstanceAsync(MeetingWorkflow.Name, new MeetingWorkflowState(meeting.Id, 0),
            new StartOrchestrationOptions(meeting.InstanceId), ct);
        return TypedResults.Created($"/api/meetings/{meeting.Id}", await ResponseAsync(meeting, s, ct));
    }

    /// <summary>One line of <c>GET /api/meetings</c>.</summary>
    public sealed record MeetingSummary(string MeetingId, string Title, DateTime StartsAt, string? Place, string Status, int PackVersion, int Items, int Participants);

    private static async Task<IResult> List(string? office, [AsParameters] Services s, CancellationToken ct) =>
        TypedResults.Ok(new
        {
            meetings = (await s.Store.ListAsync(string.IsNullOrWhiteSpace(office) ? IntakeApi.DefaultOffice : office.Trim(), ct))
                .Select(m => new MeetingSummary(m.Id, m.Plan.Title, m.Plan.StartsAt, m.Plan.Place, m.Status.ToString(), m.PackVersion, m.Plan.Agenda.Count, m.Plan.Participants.Count)),
        });

    private static async Task<IResult> Get(string id, [AsParameters] Services s, CancellationToken ct) =>
        await s.Store.GetAsync(id, ct) is { } meeting ? TypedResults.Ok(await ResponseAsync(meeting, s, ct)) : NotFound(id);

    private static async Task<IResult> Update(string id, HttpContext http, [AsParameters] Services s, CancellationToken ct)
    {
        var (body, bad) = await BodyAsync(http, ct);
        if (bad is not null) return bad;
        if (await s.Store.GetAsync(id, ct) is not { } current) return NotFound(id);
        var (plan, problems, documentsRefused) = await MeetingPlanReader.ReadAsync(body, current.Office, s.Catalog, ct);
        if (plan is null) return PlanProblem(problems, documentsRefused);
        var (result, meeting) = await s.Store.ChangeAsync(id, m => m.Status is MeetingStatus.Draft or MeetingStatus.Published, m => m with { Plan = plan },
            m => new AuditEntry("meeting-changed", AuditActors.Of(http), MeetingStore.Serialize(new { items = plan.Agenda.Count, participants = plan.Participants.Count })), ct);
        if (result == MeetingChange.WrongState)
            return Problem(StatusCodes.Status409Conflict, "meeting-not-editable", $"A meeting that is {meeting!.Status} cannot be changed",
                "The agenda and participants change while the meeting is Draft or Published.");
        // After publishing, every change is a new pack version and a notice to the participants.
        if (meeting!.Status == MeetingStatus.Published) await CommandAsync(s, meeting, "changed", ct);
        return TypedResults.Ok(await ResponseAsync(meeting, s, ct));
    }

    private static async Task<IResult> Publish(string id, HttpContext http, [AsParameters] Services s, CancellationToken ct)
    {
        var (result, meeting) = await s.Store.ChangeAsync(id, m => m.Status == MeetingStatus.Draft, m => m with { Status = MeetingStatus.Published },
            m => new AuditEntry("meeting-publish-requested", AuditActors.Of(http)), ct);
        if (result == MeetingChange.NotFound) return NotFound(id);
        if (result == MeetingChange.WrongState)
            return Problem(StatusCodes.Status409Conflict, "meeting-published", $"The meeting is {meeting!.Status}, not Draft", "A meeting is published once; change it with PUT to send a new pack version.");
        await CommandAsync(s, meeting!, "publish", ct);
        return TypedResults.Accepted($"/api/meetings/{id}", new { meetingId = id, instanceId = meeting!.InstanceId, statusQueryGetUri = DurableManagementApi.InstanceUri(http.Request, meeting.InstanceId) });
    }

    private static async Task<IResult> Transition(string id, HttpContext http, Services s, MeetingStatus from, MeetingStatus to, string action, CancellationToken ct)
    {
        var (result, meeting) = await s.Store.ChangeAsync(id, m => m.Status == from && (to != MeetingStatus.InSession || m.PackVersion > 0),
            m => m with { Status = to }, m => new AuditEntry(action, AuditActors.Of(http)), ct);
        if (result == MeetingChange.NotFound) return NotFound(id);
        if (result == MeetingChange.WrongState)
            return Problem(StatusCodes.Status409Conflict, "meeting-wrong-state", $"The meeting is {meeting!.Status}; it must be {from} (with its pack built) for this",
                "Meetings go Draft → Published → InSession → Concluded → Archived.");
        return TypedResults.Ok(await ResponseAsync(meeting!, s, ct));
    }

    private static async Task<IResult> Archive(string id, HttpContext http, [AsParameters] Services s, CancellationToken ct)
    {
        if (await s.Store.GetAsync(id, ct) is not { } meeting) return NotFound(id);
        if (meeting.Status != MeetingStatus.Concluded)
            return Problem(StatusCodes.Status409Conflict, "meeting-wrong-state", $"The meeting is {meeting.Status}; only a Concluded meeting is archived", "Conclude it first: POST /api/meetings/{id}/conclude.");
        await CommandAsync(s, meeting, "archive", ct);
        await s.Store.Audit.AppendAsync(meeting.AuditKey, new AuditEntry("meeting-archive-requested", AuditActors.Of(http)), ct);
        return TypedResults.Accepted($"/api/meetings/{id}", new { meetingId = id, instanceId = meeting.InstanceId, statusQueryGetUri = DurableManagementApi.InstanceUri(http.Request, meeting.InstanceId) });
    }

    private static async Task<IResult> GetPack(string id, int? version, HttpContext http, [AsParameters] Services s, CancellationToken ct)
    {
        if (await s.Store.GetAsync(id, ct) is not { } meeting) return NotFound(id);
        var packs = await s.Store.PacksAsync(id, ct);
        var pack = packs.FirstOrDefault(p => p.Version == (version ?? meeting.PackVersion));
        if (pack is null)
            return Problem(StatusCodes.Status404NotFound, "pack-not-found", version is null ? "The pack is not built yet" : $"There is no pack version {version}",
                packs.Count == 0 ? "Publish the meeting; the pack is built then." : $"Versions: {string.Join(", ", packs.Select(p => p.Version))}.");
        var stream = await s.Blobs.OpenReadAsync(pack.Sha256, ct) ?? throw new InvalidOperationException($"Pack {pack.Sha256} is missing from the blob store.");
        await s.Store.Audit.AppendAsync(meeting.AuditKey, new AuditEntry("pack-read", AuditActors.Of(http), MeetingStore.Serialize(new { pack.Version })), ct);
        http.Response.Headers.ContentDisposition = $"inline; filename=\"tai-lieu-hop-v{pack.Version}.pdf\"";
        return TypedResults.Stream(stream, "application/pdf", enableRangeProcessing: true);
    }

    private static async Task<IResult> GetAudit(string id, [AsParameters] Services s, CancellationToken ct) =>
        await s.Store.GetAsync(id, ct) is { } meeting ? TypedResults.Ok(await s.Store.Audit.ForDocumentAsync(meeting.AuditKey, ct)) : NotFound(id);

    internal static async Task CommandAsync(Services s, MeetingRecord meeting, string kind, CancellationToken ct)
    {
        try
        {
            await s.Client.RaiseEventAsync(meeting.InstanceId, MeetingCommand.EventName, new MeetingCommand(kind), ct);
        }
        catch (OrchestrationNotFoundException)
        {
            // Created before a crash that came before its orchestration was scheduled: start it, then tell it.
            await s.Client.ScheduleNewOrchestrationInstanceAsync(MeetingWorkflow.Name, new MeetingWorkflowState(meeting.Id, meeting.PackVersion),
                new StartOrchestrationOptions(meeting.InstanceId), ct);
            await s.Client.RaiseEventAsync(meeting.InstanceId, MeetingCommand.EventName, new MeetingCommand(kind), ct);
        }
    }

    internal static async Task<MeetingResponse> ResponseAsync(MeetingRecord meeting, Services s, CancellationToken ct) =>
        MeetingResponse.From(meeting, await s.Store.PacksAsync(meeting.Id, ct), await s.Store.OpinionsAsync(meeting.Id, ct), await s.Store.VotesAsync(meeting.Id, ct));

    internal static async Task<(JsonNode? Body, IResult? Problem)> BodyAsync(HttpContext http, CancellationToken ct)
    {
        try { return (await JsonNode.ParseAsync(http.Request.Body, cancellationToken: ct), null); }
        catch (JsonException e) { return (null, ApiProblems.InvalidJson(e)); }
    }

    /// <summary>404 for an unknown meeting.</summary>
    public static IResult NotFound(string id) => Problem(StatusCodes.Status404NotFound, "meeting-not-found", $"There is no meeting '{id}'", "Check the meetingId returned when the meeting was created.");

    // 422 when the plan is well formed but its documents cannot go on it (not approved, secret without named people); else 400.
    private static IResult PlanProblem(IReadOnlyList<string> problems, bool documentsRefused) =>
        Problem(documentsRefused ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status400BadRequest,
            "meeting-invalid", "The meeting has mistakes", "Correct every listed mistake and send it again.", problems);

    internal static IResult Problem(int status, string code, string title, string detail, IReadOnlyList<string>? errors = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (errors is not null) extensions["errors"] = errors;
        return TypedResults.Problem(statusCode: status, title: title, detail: detail, extensions: extensions);
    }

    internal static bool TryTime(string? text, out DateTime utc)
    {
        utc = default;
        if (text is null || !text.Contains('T') || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)) return false;
        utc = parsed.UtcDateTime;
        return true;
    }
}
