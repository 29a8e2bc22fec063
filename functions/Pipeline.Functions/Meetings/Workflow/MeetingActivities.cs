using Pipeline.Durable;

namespace Pipeline.Functions.Meetings;

/// <summary>Builds and stores the master copy of one pack version.</summary>
[DurableTask(Name)]
public sealed class BuildMeetingPack(MeetingStore store, MeetingPacks packs) : TaskActivity<PackWork, int>
{
    /// <summary>The registered name.</summary>
    public const string Name = "meeting-build-pack";

    /// <inheritdoc/>
    public override async Task<int> RunAsync(TaskActivityContext context, PackWork work)
    {
        var meeting = await store.GetAsync(work.MeetingId, context.CancellationToken) ?? throw new InvalidOperationException($"Meeting {work.MeetingId} is missing.");
        return (await packs.BuildMasterAsync(meeting, work.Version, context.CancellationToken)).Pages;
    }
}

/// <summary>Mails every participant that a pack version is ready, with their personal link.</summary>
[DurableTask(Name)]
public sealed class NotifyParticipants(MeetingStore store, MeetingMailing mailing) : TaskActivity<PackWork, int>
{
    /// <summary>The registered name.</summary>
    public const string Name = "meeting-notify";

    /// <inheritdoc/>
    public override async Task<int> RunAsync(TaskActivityContext context, PackWork work)
    {
        var meeting = await store.GetAsync(work.MeetingId, context.CancellationToken) ?? throw new InvalidOperationException($"Meeting {work.MeetingId} is missing.");
        return await mailing.SendPackReadyAsync(meeting, work.Version, context.CancellationToken);
    }
}

/// <summary>Asks, or reminds, the participants for their written opinion on an item.</summary>
[DurableTask(Name)]
public sealed class SendOpinionMails(MeetingStore store, MeetingMailing mailing) : TaskActivity<OpinionWork, int>
{
    /// <summary>The registered name.</summary>
    public const string Name = "meeting-opinion-mails";

    /// <inheritdoc/>
    public override async Task<int> RunAsync(TaskActivityContext context, OpinionWork work)
    {
        var meeting = await store.GetAsync(work.MeetingId, context.CancellationToken);
        if (meeting is null || meeting.Status is MeetingStatus.Concluded or MeetingStatus.Archived) return 0;
        return await mailing.SendOpinionRequestAsync(meeting, work.Item, work.Reminder, work.Queued, context.CancellationToken);
    }
}

/// <summary>Closes an opinion request at its deadline.</summary>
[DurableTask(Name)]
public sealed class CloseOpinions(MeetingStore store) : TaskActivity<OpinionWork, bool>
{
    /// <summary>The registered name.</summary>
    public const string Name = "meeting-close-opinions";

    /// <inheritdoc/>
    public override async Task<bool> RunAsync(TaskActivityContext context, OpinionWork work)
    {
        await store.CloseOpinionsAsync(work.MeetingId, work.Item, context.CancellationToken);
        return true;
    }
}
