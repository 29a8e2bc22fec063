using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Http;
using Pipeline.Functions.Intake;
using Pipeline.Functions.Storage;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// Meetings over the API (API.md "Meetings"): create and change the plan, publish (pack + invitations), hold the session
/// (attendance, opinions, votes, conclusions), conclude and archive (minutes). The secretary works through these with the key.
/// The handlers; <see cref="MeetingsFunctions"/> binds them to their routes.
/// </summary>
public static partial class MeetingsApi
{
    /// <summary>Services the routes need.</summary>
    public sealed record Services(MeetingStore Store, DocumentCatalog Catalog, DurableTaskClient? Client, IBlobStore Blobs)
    {
        /// <summary>The durable client, on the routes that start or tell orchestrations.</summary>
        public DurableTaskClient Durable => Client ?? throw new InvalidOperationException("This route has no durable client.");
    }

    internal static async Task<IResult> Create(HttpContext http, Services s, CancellationToken ct)
    {
        var (body, bad) = await BodyAsync(http, ct);
        if (bad is not null) return bad;
        var office = body?["office"] is JsonValue o && o.TryGetValue<string>(out var name) ? name.Trim() : IntakeApi.DefaultOffice;
        var (plan, problems, documentsRefused) = await MeetingPlanReader.ReadAsync(body, office, s.Catalog, ct);
        if (plan is null) return PlanProblem(problems, documentsRefused);
        var meeting = await s.Store.CreateAsync(office, plan, AuditActors.Of(http), ct);
        await s.Durable.ScheduleNewOrchestrationInstanceAsync(MeetingWorkflow.Name, new MeetingWorkflowState(meeting.Id, 0),
            new StartOrchestrationOptions(meeting.InstanceId), ct);
        return TypedResults.Created($"/api/meetings/{meeting.Id}", await ResponseAsync(meeting, s, ct));
    }

    /// <summary>One line of <c>GET /api/meetings</c>.</summary>
    public sealed record MeetingSummary(string MeetingId, string Title, DateTime StartsAt, string? Place, string Status, int PackVersion, int Items, int Participants);

    internal static async Task<IResult> List(string? office, Services s, CancellationToken ct) =>
        TypedResults.Ok(new
        {
            meetings = (await s.Store.ListAsync(string.IsNullOrWhiteSpace(office) ? IntakeApi.DefaultOffice : office.Trim(), ct))
                .Select(m => new MeetingSummary(m.Id, m.Plan.Title, m.Plan.StartsAt, m.Plan.Place, m.Status.ToString(), m.PackVersion, m.Plan.Agenda.Count, m.Plan.Participants.Count)),
        });

    internal static async Task<IResult> Get(string id, Services s, CancellationToken ct) =>
        await s.Store.GetAsync(id, ct) is { } meeting ? TypedResults.Ok(await ResponseAsync(meeting, s, ct)) : NotFound(id);

    internal static async Task<IResult> Update(string id, HttpContext http, Services s, CancellationToken ct)
    {
        var (body, bad) = await BodyAsync(http, ct);
        if (bad is not null) return bad;
        if (await s.Store.GetAsync(id, ct) is not { } current) return NotFound(id);
        var (plan, problems, documentsRefused) = await MeetingPlanReader.ReadAsync(body, current.Office, s.Catalog, ct);
        if (plan is null) return PlanProblem(problems, documentsRefused);
        // A change after publishing goes into a pack at once: its documents must be ready for one now.
        if (current.Status == MeetingStatus.Published && await MeetingDocuments.ProblemsAsync(plan, current.Office, s.Catalog, ct) is { Count: > 0 } notReady)
            return PlanProblem(notReady, documentsRefused: true);
        var (result, meeting) = await s.Store.ChangeAsync(id, m => m.Status is MeetingStatus.Draft or MeetingStatus.Published, m => m with { Plan = plan },
            m => new AuditEntry("meeting-changed", AuditActors.Of(http), MeetingStore.Serialize(new { items = plan.Agenda.Count, participants = plan.Participants.Count })), ct);
        if (result == MeetingChange.WrongState)
            return Problem(StatusCodes.Status409Conflict, "meeting-not-editable", $"A meeting that is {meeting!.Status} cannot be changed",
                "The agenda and participants change while the meeting is Draft or Published.");
        // After publishing, every change is a new pack version and a notice to the participants.
        if (meeting!.Status == MeetingStatus.Published) await CommandAsync(s, meeting, "changed", ct);
        return TypedResults.Ok(await ResponseAsync(meeting, s, ct));
    }

    internal static async Task<IResult> Publish(string id, HttpContext http, Services s, CancellationToken ct)
    {
        // The documents are checked again now, not only when the agenda was written: a secrecy stamp read or corrected
        // since then, or a document not digitised yet, keeps the pack from being built.
        if (await s.Store.GetAsync(id, ct) is not { } current) return NotFound(id);
        if (current.Status == MeetingStatus.Draft && await MeetingDocuments.ProblemsAsync(current.Plan, current.Office, s.Catalog, ct) is { Count: > 0 } notReady)
            return PlanProblem(notReady, documentsRefused: true);
        var (result, meeting) = await s.Store.ChangeAsync(id, m => m.Status == MeetingStatus.Draft, m => m with { Status = MeetingStatus.Published },
            m => new AuditEntry("meeting-publish-requested", AuditActors.Of(http)), ct);
        if (result == MeetingChange.NotFound) return NotFound(id);
        if (result == MeetingChange.WrongState)
            return Problem(StatusCodes.Status409Conflict, "meeting-published", $"The meeting is {meeting!.Status}, not Draft", "A meeting is published once; change it with PUT to send a new pack version.");
        await CommandAsync(s, meeting!, "publish", ct);
        return TypedResults.Accepted($"/api/meetings/{id}", new { meetingId = id, instanceId = meeting!.InstanceId, statusQueryGetUri = InstanceUri(http.Request, meeting.InstanceId) });
    }

    internal static async Task<IResult> Transition(string id, HttpContext http, Services s, MeetingStatus from, MeetingStatus to, string action, CancellationToken ct)
    {
        var (result, meeting) = await s.Store.ChangeAsync(id, m => m.Status == from && (to != MeetingStatus.InSession || m.PackVersion > 0),
            m => m with { Status = to }, m => new AuditEntry(action, AuditActors.Of(http)), ct);
        if (result == MeetingChange.NotFound) return NotFound(id);
        if (result == MeetingChange.WrongState)
            return Problem(StatusCodes.Status409Conflict, "meeting-wrong-state", $"The meeting is {meeting!.Status}; it must be {from} (with its pack built) for this",
                "Meetings go Draft → Published → InSession → Concluded → Archived.");
        return TypedResults.Ok(await ResponseAsync(meeting!, s, ct));
    }

    internal static async Task<IResult> Archive(string id, HttpContext http, Services s, CancellationToken ct)
    {
        if (await s.Store.GetAsync(id, ct) is not { } meeting) return NotFound(id);
        if (meeting.Status != MeetingStatus.Concluded)
            return Problem(StatusCodes.Status409Conflict, "meeting-wrong-state", $"The meeting is {meeting.Status}; only a Concluded meeting is archived", "Conclude it first: POST /api/meetings/{id}/conclude.");
        await CommandAsync(s, meeting, "archive", ct);
        await s.Store.Audit.AppendAsync(meeting.AuditKey, new AuditEntry("meeting-archive-requested", AuditActors.Of(http)), ct);
        return TypedResults.Accepted($"/api/meetings/{id}", new { meetingId = id, instanceId = meeting.InstanceId, statusQueryGetUri = InstanceUri(http.Request, meeting.InstanceId) });
    }

    internal static async Task<IResult> GetPack(string id, int? version, HttpContext http, Services s, CancellationToken ct)
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

    internal static async Task<IResult> GetAudit(string id, Services s, CancellationToken ct) =>
        await s.Store.GetAsync(id, ct) is { } meeting ? TypedResults.Ok(await s.Store.Audit.ForDocumentAsync(meeting.AuditKey, ct)) : NotFound(id);

    internal static async Task CommandAsync(Services s, MeetingRecord meeting, string kind, CancellationToken ct)
    {
        // Created before a crash that came before its orchestration was scheduled, or ended by a failure: start it, then tell it.
        var instance = await s.Durable.GetInstanceAsync(meeting.InstanceId, getInputsAndOutputs: false, ct);
        if (instance is null || instance.RuntimeStatus is OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated)
            await s.Durable.ScheduleNewOrchestrationInstanceAsync(MeetingWorkflow.Name, new MeetingWorkflowState(meeting.Id, meeting.PackVersion),
                new StartOrchestrationOptions(meeting.InstanceId), ct);
        await s.Durable.RaiseEventAsync(meeting.InstanceId, MeetingCommand.EventName, new MeetingCommand(kind), ct);
    }

    /// <summary>The durable management URI of an instance (served by the host), as Durable Functions' check-status payload gives it.</summary>
    public static string InstanceUri(HttpRequest request, string instanceId) =>
        $"{request.Scheme}://{request.Host}{request.PathBase}/runtime/webhooks/durabletask/instances/{Uri.EscapeDataString(instanceId)}";

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
