using Microsoft.Azure.Functions.Worker;
using Pipeline.Functions.Documents;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// Checks a command to <see cref="MeetingWorkflow"/> against the store: the meeting must exist under this instance,
/// <c>publish</c>/<c>changed</c> need a Published meeting whose plan differs from its latest pack (and whose documents
/// may all go into a pack), <c>archive</c> a Concluded one. Anything else is ignored, with the reason.
/// </summary>
public sealed class CheckMeetingCommand(MeetingStore store, DocumentCatalog catalog)
{
    /// <summary>The registered name.</summary>
    public const string Name = "meeting-check-command";

    /// <summary>What the store backs.</summary>
    [Function(Name)]
    public Task<MeetingCommandDecision> Run([ActivityTrigger] MeetingCommandClaim claim, FunctionContext fc) => DecideAsync(claim, fc.CancellationToken);

    /// <summary>What the store backs of <paramref name="claim"/>.</summary>
    public async Task<MeetingCommandDecision> DecideAsync(MeetingCommandClaim? claim, CancellationToken ct)
    {
        var meeting = claim is null ? null : await store.GetAsync(claim.MeetingId, ct);
        if (meeting is null || meeting.InstanceId != claim!.InstanceId)
            return new(MeetingCommandDecision.End, 0, 0, "the store has no meeting run by this instance");
        MeetingCommandDecision Ignore(string reason) => new(MeetingCommandDecision.Ignore, 0, meeting.PackVersion, reason);

        switch (claim.Kind)
        {
            case "publish" or "changed":
                if (meeting.Status != MeetingStatus.Published) return Ignore($"the meeting is {meeting.Status}, not Published");
                if (meeting.PackVersion > 0
                    && await store.PackPlanAsync(meeting.Id, meeting.PackVersion, ct) is { } built
                    && MeetingStore.Serialize(built) == MeetingStore.Serialize(meeting.Plan))
                    return Ignore($"pack version {meeting.PackVersion} is built from the current plan");
                var problems = await MeetingDocuments.ProblemsAsync(meeting.Plan, meeting.Office, catalog, ct);
                if (problems.Count > 0)
                {
                    await store.Audit.AppendAsync(meeting.AuditKey, new AuditEntry("pack-refused", AuditEntry.System,
                        MeetingStore.Serialize(new { version = meeting.PackVersion + 1, problems })), ct);
                    return Ignore("the pack cannot be built: " + string.Join(" ", problems));
                }
                return new(MeetingCommandDecision.Build, meeting.PackVersion + 1, meeting.PackVersion, null);
            case "archive":
                return meeting.Status == MeetingStatus.Concluded
                    ? new(MeetingCommandDecision.Archive, 0, meeting.PackVersion, null)
                    : Ignore($"the meeting is {meeting.Status}, not Concluded");
            default:
                return Ignore($"unknown command {claim.Kind}");
        }
    }
}

/// <summary>Builds and stores the master copy of one pack version.</summary>
public sealed class BuildMeetingPack(MeetingStore store, MeetingPacks packs)
{
    /// <summary>The registered name.</summary>
    public const string Name = "meeting-build-pack";

    /// <summary>The pages of the master copy.</summary>
    [Function(Name)]
    public async Task<int> Run([ActivityTrigger] PackWork work, FunctionContext fc)
    {
        var meeting = await store.GetAsync(work.MeetingId, fc.CancellationToken) ?? throw new InvalidOperationException($"Meeting {work.MeetingId} is missing.");
        return (await packs.BuildMasterAsync(meeting, work.Version, fc.CancellationToken)).Pages;
    }
}

/// <summary>Mails every participant that a pack version is ready, with their personal link.</summary>
public sealed class NotifyParticipants(MeetingStore store, MeetingMailing mailing)
{
    /// <summary>The registered name.</summary>
    public const string Name = "meeting-notify";

    /// <summary>The mails sent.</summary>
    [Function(Name)]
    public async Task<int> Run([ActivityTrigger] PackWork work, FunctionContext fc)
    {
        var meeting = await store.GetAsync(work.MeetingId, fc.CancellationToken) ?? throw new InvalidOperationException($"Meeting {work.MeetingId} is missing.");
        return await mailing.SendPackReadyAsync(meeting, work.Version, fc.CancellationToken);
    }
}

/// <summary>The opinion request on an item as the store has it (the workflow's deadline is the store's).</summary>
public sealed class CheckOpinionRequest(MeetingStore store)
{
    /// <summary>The registered name.</summary>
    public const string Name = "meeting-check-opinions";

    /// <summary>Whether the request exists, is closed, and its deadline.</summary>
    [Function(Name)]
    public Task<OpinionRequestState> Run([ActivityTrigger] OpinionWork work, FunctionContext fc) => StateAsync(work, fc.CancellationToken);

    /// <summary>The request on <paramref name="work"/>'s item as stored.</summary>
    public async Task<OpinionRequestState> StateAsync(OpinionWork work, CancellationToken ct)
    {
        var request = (await store.OpinionsAsync(work.MeetingId, ct)).FirstOrDefault(r => r.Item == work.Item);
        return request is null ? new(false, false, default) : new(true, request.Closed, request.Deadline);
    }
}

/// <summary>Asks, or reminds, the participants for their written opinion on an item.</summary>
public sealed class SendOpinionMails(MeetingStore store, MeetingMailing mailing)
{
    /// <summary>The registered name.</summary>
    public const string Name = "meeting-opinion-mails";

    /// <summary>The mails sent.</summary>
    [Function(Name)]
    public async Task<int> Run([ActivityTrigger] OpinionWork work, FunctionContext fc)
    {
        var meeting = await store.GetAsync(work.MeetingId, fc.CancellationToken);
        if (meeting is null || meeting.Status is MeetingStatus.Concluded or MeetingStatus.Archived) return 0;
        return await mailing.SendOpinionRequestAsync(meeting, work.Item, work.Reminder, work.Queued, fc.CancellationToken);
    }
}

/// <summary>Closes an opinion request at its deadline: false while the store's deadline has not passed yet.</summary>
public sealed class CloseOpinions(MeetingStore store)
{
    /// <summary>The registered name.</summary>
    public const string Name = "meeting-close-opinions";

    /// <summary>True once nothing is left open.</summary>
    [Function(Name)]
    public Task<bool> Run([ActivityTrigger] OpinionWork work, FunctionContext fc) =>
        store.CloseOpinionsAsync(work.MeetingId, work.Item, fc.CancellationToken);
}
