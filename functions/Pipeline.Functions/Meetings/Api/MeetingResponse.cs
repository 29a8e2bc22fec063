namespace Pipeline.Functions.Meetings;

/// <summary><c>GET /api/meetings/{id}</c>: the meeting with its agenda, and per item the opinions, the vote and the conclusion.</summary>
public sealed record MeetingResponse(string MeetingId, string Office, string Status, string Title, DateTime StartsAt, string? Place, string? Chair, string? Secretary,
    string? Dossier, IReadOnlyList<MeetingParticipant> Participants, IReadOnlyList<string> Attendance, IReadOnlyList<AgendaItemResponse> Agenda,
    int PackVersion, IReadOnlyList<PackResponse> Packs, string? MinutesDocumentId, string InstanceId, DateTime CreatedTime, DateTime LastUpdatedTime)
{
    /// <summary>Every item's written opinions, as in <see cref="Agenda"/> (API.md lists opinions beside the agenda).</summary>
    public IReadOnlyList<ItemOpinionsResponse> Opinions => [.. Agenda.Where(a => a.Opinions is not null).Select(a => new ItemOpinionsResponse(a.Number, a.Opinions!))];

    /// <summary>Every item's vote, as in <see cref="Agenda"/>.</summary>
    public IReadOnlyList<ItemVoteResponse> Votes => [.. Agenda.Where(a => a.Vote is not null).Select(a => new ItemVoteResponse(a.Number, a.Vote!))];

    /// <summary>The response for a meeting and what was said and voted on it.</summary>
    public static MeetingResponse From(MeetingRecord meeting, IReadOnlyList<PackVersionRecord> packs, IReadOnlyList<OpinionRequestRecord> opinions, IReadOnlyList<VoteRecord> votes)
    {
        var plan = meeting.Plan;
        return new MeetingResponse(meeting.Id, meeting.Office, meeting.Status.ToString(), plan.Title, plan.StartsAt, plan.Place, plan.Chair, plan.Secretary, plan.Dossier,
            plan.Participants, meeting.Session.Attendance,
            [.. plan.Agenda.Select(item => AgendaItemResponse.From(meeting, item, opinions.FirstOrDefault(o => o.Item == item.Number), votes.FirstOrDefault(v => v.Item == item.Number)))],
            meeting.PackVersion, [.. packs.Select(p => new PackResponse(p.Version, p.Pages, p.Built, p.Superseded, $"/api/meetings/{meeting.Id}/pack?version={p.Version}"))],
            meeting.MinutesDocumentId, meeting.InstanceId, meeting.Created, meeting.LastUpdated);
    }
}

/// <summary>One agenda item as the secretary sees it.</summary>
public sealed record AgendaItemResponse(int Number, string Title, string? Presenter, IReadOnlyList<string> DocumentIds, string? ForInformation,
    IReadOnlyList<string>? Participants, string? Conclusion, OpinionsResponse? Opinions, VoteResponse? Vote)
{
    /// <summary>The item with its opinions and vote.</summary>
    public static AgendaItemResponse From(MeetingRecord meeting, AgendaItem item, OpinionRequestRecord? opinions, VoteRecord? vote)
    {
        var eligible = MeetingStore.Eligible(meeting, item.Number);
        return new AgendaItemResponse(item.Number, item.Title, item.Presenter, item.DocumentIds, item.ForInformation, item.RestrictedTo,
            meeting.Session.Conclusions.GetValueOrDefault(item.Number),
            opinions is null ? null : new OpinionsResponse(opinions.Question, opinions.Deadline, opinions.Closed,
                new Tally3(opinions.Answers.Count(a => a.Answer == OpinionAnswer.Agree), opinions.Answers.Count(a => a.Answer == OpinionAnswer.Disagree),
                    opinions.Answers.Count(a => a.Answer == OpinionAnswer.Other)),
                [.. opinions.Answers.Select(a => new OpinionResponse(a.Participant, a.Answer.ToString().ToLowerInvariant(), a.Comment, a.At))],
                [.. eligible.Where(e => opinions.Answers.All(a => !string.Equals(a.Participant, e, StringComparison.OrdinalIgnoreCase)))]),
            vote is null ? null : new VoteResponse(vote.Secret, vote.Open, vote.Votes.Count(v => v.Choice == VoteChoice.Yes), vote.Votes.Count(v => v.Choice == VoteChoice.No),
                vote.Votes.Count(v => v.Choice == VoteChoice.Abstain), eligible.Count - vote.Votes.Count,
                // A secret vote shows its tally only; who voted what is never served.
                vote.Secret ? null : [.. vote.Votes.Select(v => new VoteCastResponse(v.Participant, v.Choice.ToString().ToLowerInvariant(), v.At))]));
    }
}

/// <summary>An item's written opinions: the tally, the answers, who has not answered.</summary>
public sealed record OpinionsResponse(string Question, DateTime Deadline, bool Closed, Tally3 Tally, IReadOnlyList<OpinionResponse> Answers, IReadOnlyList<string> NotAnswered);

/// <summary>An item's opinions, in the meeting's top-level list.</summary>
public sealed record ItemOpinionsResponse(int Item, OpinionsResponse Opinions);

/// <summary>An item's vote, in the meeting's top-level list.</summary>
public sealed record ItemVoteResponse(int Item, VoteResponse Vote);

/// <summary>Agree / disagree / other counts.</summary>
public sealed record Tally3(int Agree, int Disagree, int Other);

/// <summary>One answer.</summary>
public sealed record OpinionResponse(string Participant, string Answer, string? Comment, DateTime At);

/// <summary>An item's vote: tallies, and for a named vote who voted what.</summary>
public sealed record VoteResponse(bool Secret, bool Open, int Yes, int No, int Abstain, int NotVoted, IReadOnlyList<VoteCastResponse>? Votes);

/// <summary>One named vote.</summary>
public sealed record VoteCastResponse(string Participant, string Choice, DateTime At);

/// <summary>One pack version.</summary>
public sealed record PackResponse(int Version, int Pages, DateTime BuiltAt, bool Superseded, string Url);
