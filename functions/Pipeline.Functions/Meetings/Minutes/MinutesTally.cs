namespace Pipeline.Functions.Meetings;

/// <summary>The count of one written-opinion request, as the minutes print it.</summary>
/// <param name="Agree">Đồng ý.</param>
/// <param name="Disagree">Không đồng ý.</param>
/// <param name="Other">Ý kiến khác.</param>
/// <param name="NotAnswered">Participants who could see the item and have not answered.</param>
/// <param name="Answers">Each participant's answer (their latest, if they answered more than once), in the plan's participant order.</param>
internal sealed record OpinionTally(int Agree, int Disagree, int Other, int NotAnswered, IReadOnlyList<OpinionRecord> Answers)
{
    /// <summary>Counts <paramref name="request"/> among <paramref name="eligible"/> (the participants who may see its item).</summary>
    public static OpinionTally Of(OpinionRequestRecord request, IReadOnlyList<MeetingParticipant> eligible)
    {
        var answers = Latest(request.Answers, a => a.Participant, a => a.At, eligible);
        var answered = answers.Select(a => a.Participant).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new OpinionTally(
            answers.Count(a => a.Answer == OpinionAnswer.Agree),
            answers.Count(a => a.Answer == OpinionAnswer.Disagree),
            answers.Count(a => a.Answer == OpinionAnswer.Other),
            eligible.Count(p => !answered.Contains(p.Email)),
            answers);
    }

    /// <summary>One record per participant: the latest by <paramref name="at"/> (the later in the list on a tie), ordered
    /// as <paramref name="order"/> lists the participants, anyone not in it after them by address. Someone who answered
    /// twice counts once, and the order never depends on when the answers came in.</summary>
    internal static List<T> Latest<T>(IEnumerable<T> records, Func<T, string> who, Func<T, DateTime> at, IReadOnlyList<MeetingParticipant> order)
    {
        var position = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < order.Count; i++) position.TryAdd(order[i].Email, i);
        return records
            .Select((record, index) => (record, index))
            .GroupBy(r => who(r.record), StringComparer.OrdinalIgnoreCase)
            .Select(g => g.OrderBy(r => at(r.record)).ThenBy(r => r.index).Last().record)
            .OrderBy(r => position.TryGetValue(who(r), out var p) ? p : int.MaxValue)
            .ThenBy(r => who(r).ToLowerInvariant(), StringComparer.Ordinal)
            .ToList();
    }
}

/// <summary>The count of one vote, as the minutes print it.</summary>
/// <param name="Yes">Tán thành.</param>
/// <param name="No">Không tán thành.</param>
/// <param name="Abstain">Không biểu quyết.</param>
/// <param name="Eligible">Participants who could see the item, so could vote.</param>
/// <param name="Votes">Each voter's vote (their latest), in the plan's participant order. For a secret vote this is
/// for counting only and must never be printed.</param>
internal sealed record VoteTally(int Yes, int No, int Abstain, int Eligible, IReadOnlyList<CastVote> Votes)
{
    /// <summary>How many cast a vote.</summary>
    public int Voted => Yes + No + Abstain;

    /// <summary>Counts <paramref name="vote"/> among <paramref name="eligible"/> (the participants who may see its item).</summary>
    public static VoteTally Of(VoteRecord vote, IReadOnlyList<MeetingParticipant> eligible)
    {
        var votes = OpinionTally.Latest(vote.Votes, v => v.Participant, v => v.At, eligible);
        return new VoteTally(
            votes.Count(v => v.Choice == VoteChoice.Yes),
            votes.Count(v => v.Choice == VoteChoice.No),
            votes.Count(v => v.Choice == VoteChoice.Abstain),
            eligible.Count,
            votes);
    }
}
