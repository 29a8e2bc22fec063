using Microsoft.Azure.Functions.Worker;
using Pipeline.Functions.Links;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Storage;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// The participant pages (<see cref="ParticipantPages"/>) as anonymous HTTP functions under <c>/meetings/{token}</c>: the
/// token is the only credential. Every request is counted against its address before any other work.
/// </summary>
public sealed class MeetingPagesFunctions(MeetingLinks links, MeetingStore store, MeetingPacks packs, DocumentCatalog catalog, IBlobStore blobs,
    TimeProvider clock, MailedLinkOptions options, LinkLimiters limiters)
{
    private readonly ParticipantPages.Services _services = new(links, store, packs, catalog, blobs, clock, options);

    // The meeting pages' own budget per address, apart from the approval pages'.
    private readonly LinkLimiter _limiter = limiters.For("meetings");

    /// <summary>The participant's page: the meeting, the items they may see, the pack, open opinions and votes. Never changes the meeting.</summary>
    [Function("GetMeetingParticipantPage")]
    public Task<IResult> Show([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "meetings/{token}")] HttpRequest request, string token) =>
        Limited(request, http => ParticipantPages.ShowAsync(token, http, _services, _limiter, http.RequestAborted));

    /// <summary>The participant's watermarked copy of the pack (current version, or ?version=N); every read is audited.</summary>
    [Function("GetMeetingParticipantPack")]
    public Task<IResult> Pack([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "meetings/{token}/pack")] HttpRequest request, string token) =>
        Limited(request, http => ParticipantPages.PackAsync(token, request.Query["version"].FirstOrDefault(), http, _services, _limiter, http.RequestAborted));

    /// <summary>The archive PDF of a document on an agenda item the participant may see; reads and refusals are audited.</summary>
    [Function("GetMeetingParticipantDocument")]
    public Task<IResult> Document([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "meetings/{token}/documents/{documentId}")] HttpRequest request,
        string token, string documentId) =>
        Limited(request, http => ParticipantPages.DocumentAsync(token, documentId, http, _services, _limiter, http.RequestAborted));

    /// <summary>Records answer=agree|disagree|other with comment on an item's opinion request, once.</summary>
    [Function("PostMeetingParticipantOpinion")]
    public Task<IResult> Opinion([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "meetings/{token}/opinions/{item}")] HttpRequest request,
        string token, string item) =>
        Limited(request, http => ParticipantPages.AnswerOpinionAsync(token, item, http, _services, _limiter, http.RequestAborted));

    /// <summary>Records choice=yes|no|abstain on an item's open vote, once.</summary>
    [Function("PostMeetingParticipantVote")]
    public Task<IResult> Vote([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "meetings/{token}/votes/{item}")] HttpRequest request,
        string token, string item) =>
        Limited(request, http => ParticipantPages.CastVoteAsync(token, item, http, _services, _limiter, http.RequestAborted));

    // Over the address's request budget: refused before anything is read.
    private Task<IResult> Limited(HttpRequest request, Func<HttpContext, Task<IResult>> handle) =>
        _limiter.TryRequest(request.HttpContext.Connection.RemoteIpAddress)
            ? handle(request.HttpContext)
            : Task.FromResult(ParticipantRefusals.TooMany(request.HttpContext));
}
