using System.Globalization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Storage;
using Pipeline.Functions.Links;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// The meetings API (API.md "Meetings") as HTTP functions, one per route, each with its full path; the handlers are
/// <see cref="MeetingsApi"/>'s. Every route needs a function key (the host checks it).
/// </summary>
public sealed class MeetingsFunctions(MeetingStore store, DocumentCatalog catalog, IBlobStore blobs, PublicAddress address)
{
    private const string Meeting = "api/meetings/{id}";
    private const string Item = "api/meetings/{id}/items/{item:int}";

    private MeetingsApi.Services With(DurableTaskClient? client = null) => new(store, catalog, client, blobs);

    /// <summary>
    /// The services for a call that may mail links: the address the key holder called is remembered first, so the mailed
    /// links point at the host they used (unless pipeline.approvals.publicBaseUrl says otherwise).
    /// </summary>
    private MeetingsApi.Services Mailing(HttpRequest request, DurableTaskClient client)
    {
        address.Observe(request);
        return With(client);
    }

    /// <summary>Creates a Draft meeting: title, startsAt, place, chair, secretary, participants, agenda.</summary>
    [Function("CreateMeeting")]
    public Task<IResult> Create([HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/meetings")] HttpRequest request, [DurableClient] DurableTaskClient client) =>
        MeetingsApi.Create(request.HttpContext, Mailing(request, client), request.HttpContext.RequestAborted);

    /// <summary>The office's meetings (?office=), latest first.</summary>
    [Function("ListMeetings")]
    public Task<IResult> List([HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/meetings")] HttpRequest request) =>
        MeetingsApi.List(request.Query["office"].FirstOrDefault(), With(), request.HttpContext.RequestAborted);

    /// <summary>The meeting: agenda, status, pack versions, opinions, votes, conclusions.</summary>
    [Function("GetMeeting")]
    public Task<IResult> Get([HttpTrigger(AuthorizationLevel.Function, "get", Route = Meeting)] HttpRequest request, string id) =>
        MeetingsApi.Get(id, With(), request.HttpContext.RequestAborted);

    /// <summary>Replaces the plan; after publishing this makes a new pack version and tells the participants.</summary>
    [Function("UpdateMeeting")]
    public Task<IResult> Update([HttpTrigger(AuthorizationLevel.Function, "put", Route = Meeting)] HttpRequest request, string id, [DurableClient] DurableTaskClient client) =>
        MeetingsApi.Update(id, request.HttpContext, Mailing(request, client), request.HttpContext.RequestAborted);

    /// <summary>Builds the pack and mails each participant a personal link.</summary>
    [Function("PublishMeeting")]
    public Task<IResult> Publish([HttpTrigger(AuthorizationLevel.Function, "post", Route = Meeting + "/publish")] HttpRequest request, string id, [DurableClient] DurableTaskClient client) =>
        MeetingsApi.Publish(id, request.HttpContext, Mailing(request, client), request.HttpContext.RequestAborted);

    /// <summary>Published → InSession (the pack must be built).</summary>
    [Function("StartMeeting")]
    public Task<IResult> Start([HttpTrigger(AuthorizationLevel.Function, "post", Route = Meeting + "/start")] HttpRequest request, string id) =>
        MeetingsApi.Transition(id, request.HttpContext, With(), MeetingStatus.Published, MeetingStatus.InSession, "meeting-started", request.HttpContext.RequestAborted);

    /// <summary>InSession → Concluded.</summary>
    [Function("ConcludeMeeting")]
    public Task<IResult> Conclude([HttpTrigger(AuthorizationLevel.Function, "post", Route = Meeting + "/conclude")] HttpRequest request, string id) =>
        MeetingsApi.Transition(id, request.HttpContext, With(), MeetingStatus.InSession, MeetingStatus.Concluded, "meeting-concluded", request.HttpContext.RequestAborted);

    /// <summary>Writes the minutes into the archive (dossier of the meeting); the meeting becomes read-only.</summary>
    [Function("ArchiveMeeting")]
    public Task<IResult> Archive([HttpTrigger(AuthorizationLevel.Function, "post", Route = Meeting + "/archive")] HttpRequest request, string id, [DurableClient] DurableTaskClient client) =>
        MeetingsApi.Archive(id, request.HttpContext, With(client), request.HttpContext.RequestAborted);

    /// <summary><c>{"present":[emails]}</c>.</summary>
    [Function("SetAttendance")]
    public Task<IResult> SetAttendance([HttpTrigger(AuthorizationLevel.Function, "put", Route = Meeting + "/attendance")] HttpRequest request, string id) =>
        MeetingsApi.SetAttendance(id, request.HttpContext, With(), request.HttpContext.RequestAborted);

    /// <summary><c>{"text":"…"}</c>.</summary>
    [Function("SetConclusion")]
    public Task<IResult> SetConclusion([HttpTrigger(AuthorizationLevel.Function, "put", Route = Item + "/conclusion")] HttpRequest request, string id, string item) =>
        MeetingsApi.SetConclusion(id, Number(item), request.HttpContext, With(), request.HttpContext.RequestAborted);

    /// <summary><c>{"question","deadline"}</c>: asks the participants for written opinions.</summary>
    [Function("RequestOpinions")]
    public Task<IResult> RequestOpinions([HttpTrigger(AuthorizationLevel.Function, "post", Route = Item + "/opinions")] HttpRequest request, string id, string item,
        [DurableClient] DurableTaskClient client) =>
        MeetingsApi.RequestOpinions(id, Number(item), request.HttpContext, With(client), request.HttpContext.RequestAborted);

    /// <summary><c>{"secret":bool}</c>: opens a vote in session.</summary>
    [Function("OpenVote")]
    public Task<IResult> OpenVote([HttpTrigger(AuthorizationLevel.Function, "post", Route = Item + "/vote")] HttpRequest request, string id, string item) =>
        MeetingsApi.OpenVote(id, Number(item), request.HttpContext, With(), request.HttpContext.RequestAborted);

    /// <summary><c>{"participant","choice":"yes|no|abstain"}</c>: the secretary records a vote cast in the room.</summary>
    [Function("RecordVote")]
    public Task<IResult> RecordVote([HttpTrigger(AuthorizationLevel.Function, "post", Route = Item + "/votes")] HttpRequest request, string id, string item) =>
        MeetingsApi.RecordVote(id, Number(item), request.HttpContext, With(), request.HttpContext.RequestAborted);

    /// <summary>Closes the vote on an item.</summary>
    [Function("CloseVote")]
    public Task<IResult> CloseVote([HttpTrigger(AuthorizationLevel.Function, "post", Route = Item + "/vote/close")] HttpRequest request, string id, string item) =>
        MeetingsApi.CloseVote(id, Number(item), request.HttpContext, With(), request.HttpContext.RequestAborted);

    /// <summary>The master copy of the pack (?version=n; default the current one).</summary>
    [Function("GetMeetingPack")]
    public Task<IResult> GetPack([HttpTrigger(AuthorizationLevel.Function, "get", Route = Meeting + "/pack")] HttpRequest request, string id)
    {
        var text = request.Query["version"].FirstOrDefault();
        if (text is null) return MeetingsApi.GetPack(id, null, request.HttpContext, With(), request.HttpContext.RequestAborted);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var version))
            return Task.FromResult(MeetingsApi.Problem(StatusCodes.Status400BadRequest, "version-invalid", $"\"version\" must be a number, not \"{text}\"", "Ask for ?version=1, 2, …"));
        return MeetingsApi.GetPack(id, version, request.HttpContext, With(), request.HttpContext.RequestAborted);
    }

    /// <summary>The meeting's audit trail.</summary>
    [Function("GetMeetingAudit")]
    public Task<IResult> GetAudit([HttpTrigger(AuthorizationLevel.Function, "get", Route = Meeting + "/audit")] HttpRequest request, string id) =>
        MeetingsApi.GetAudit(id, With(), request.HttpContext.RequestAborted);

    // The route's {item:int} constraint has checked it.
    private static int Number(string item) => int.Parse(item, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}
