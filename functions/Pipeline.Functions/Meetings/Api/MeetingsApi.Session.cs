using System.Text.Json.Nodes;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Pipeline.Functions.Documents;

namespace Pipeline.Functions.Meetings;

public static partial class MeetingsApi
{
    private const int MaxTextLength = 20_000;

    internal static async Task<IResult> SetAttendance(string id, HttpContext http, Services s, CancellationToken ct)
    {
        var (body, bad) = await BodyAsync(http, ct);
        if (bad is not null) return bad;
        if (body?["present"] is not JsonArray list) return Problem(StatusCodes.Status400BadRequest, "attendance-invalid", "Send {\"present\":[emails]}", "List the participants who are present.");
        var present = list.Select(n => n is JsonValue v && v.TryGetValue<string>(out var e) ? e.Trim().ToLowerInvariant() : "").ToList();
        if (await s.Store.GetAsync(id, ct) is not { } current) return NotFound(id);
        var strangers = present.Where(e => current.Plan.Participant(e) is null).ToList();
        if (strangers.Count > 0)
            return Problem(StatusCodes.Status400BadRequest, "attendance-invalid", "Some of those present are not participants", "Add them to the meeting first.", [.. strangers.Select(e => $"{e} is not a participant.")]);
        return await SessionChangeAsync(id, http, s, m => m with { Session = m.Session with { Attendance = [.. present.Distinct()] } }, "attendance-recorded", new { present }, ct);
    }

    internal static async Task<IResult> SetConclusion(string id, int item, HttpContext http, Services s, CancellationToken ct)
    {
        var (body, bad) = await BodyAsync(http, ct);
        if (bad is not null) return bad;
        var text = body?["text"] is JsonValue v && v.TryGetValue<string>(out var t) ? t.Trim() : null;
        if (string.IsNullOrEmpty(text) || text.Length > MaxTextLength)
            return Problem(StatusCodes.Status400BadRequest, "conclusion-invalid", "Send {\"text\":\"…\"} with the conclusion", $"1 to {MaxTextLength} characters.");
        if (await s.Store.GetAsync(id, ct) is not { } current) return NotFound(id);
        if (current.Plan.Agenda.All(a => a.Number != item)) return ItemNotFound(id, item);
        return await SessionChangeAsync(id, http, s, m => m with { Session = m.Session with { Conclusions = new Dictionary<int, string>(m.Session.Conclusions) { [item] = text } } },
            "conclusion-recorded", new { item, text }, ct);
    }

    // Attendance and conclusions are recorded during the session and corrected until the minutes are written.
    private static async Task<IResult> SessionChangeAsync(string id, HttpContext http, Services s, Func<MeetingRecord, MeetingRecord> change, string action, object detail, CancellationToken ct)
    {
        var (result, meeting) = await s.Store.ChangeAsync(id, m => m.Status is MeetingStatus.InSession or MeetingStatus.Concluded, change,
            m => new AuditEntry(action, AuditActors.Of(http), MeetingStore.Serialize(detail)), ct);
        if (result == MeetingChange.NotFound) return NotFound(id);
        if (result == MeetingChange.WrongState)
            return Problem(StatusCodes.Status409Conflict, "meeting-wrong-state", $"The meeting is {meeting!.Status}", "Attendance and conclusions are recorded once the meeting has started and until it is archived.");
        return TypedResults.Ok(await ResponseAsync(meeting!, s, ct));
    }

    internal static async Task<IResult> RequestOpinions(string id, int item, HttpContext http, Services s, CancellationToken ct)
    {
        var (body, bad) = await BodyAsync(http, ct);
        if (bad is not null) return bad;
        var question = body?["question"] is JsonValue q && q.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text) ? text.Trim() : "Đề nghị đồng chí cho ý kiến.";
        if (!TryTime(body?["deadline"] is JsonValue d && d.TryGetValue<string>(out var dt) ? dt : null, out var deadline))
            return Problem(StatusCodes.Status400BadRequest, "deadline-invalid", "Send a \"deadline\" like 2026-12-10T17:00:00+07:00", "The time by which participants answer.");
        if (deadline <= s.Catalog.UtcNow) return Problem(StatusCodes.Status400BadRequest, "deadline-invalid", "The deadline has already passed", "Give a deadline in the future.");
        var result = await s.Store.RequestOpinionsAsync(id, item, question, deadline, AuditActors.Of(http), ct);
        switch (result)
        {
            case MeetingChange.NotFound: return await s.Store.GetAsync(id, ct) is null ? NotFound(id) : ItemNotFound(id, item);
            case MeetingChange.WrongState: return Problem(StatusCodes.Status409Conflict, "meeting-wrong-state", "Opinions are asked for once the meeting is published", "Publish the meeting first.");
            case MeetingChange.AlreadyDone: return Problem(StatusCodes.Status409Conflict, "opinions-requested", $"Opinions on item {item} were asked for already", "One request per item.");
        }
        await s.Durable.ScheduleNewOrchestrationInstanceAsync(OpinionWorkflow.Name, new OpinionInput(id, item, deadline),
            new StartOrchestrationOptions(OpinionWorkflow.InstanceIdOf(id, item)), ct);
        return TypedResults.Created($"/api/meetings/{id}", await ResponseAsync((await s.Store.GetAsync(id, ct))!, s, ct));
    }

    internal static async Task<IResult> OpenVote(string id, int item, HttpContext http, Services s, CancellationToken ct)
    {
        var (body, bad) = await BodyAsync(http, ct);
        if (bad is not null) return bad;
        var secret = body?["secret"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
        return await VoteResultAsync(id, item, s, await s.Store.OpenVoteAsync(id, item, secret, AuditActors.Of(http), ct), "A vote is opened while the meeting is InSession", ct);
    }

    internal static async Task<IResult> RecordVote(string id, int item, HttpContext http, Services s, CancellationToken ct)
    {
        var (body, bad) = await BodyAsync(http, ct);
        if (bad is not null) return bad;
        var participant = body?["participant"] is JsonValue p && p.TryGetValue<string>(out var e) ? e.Trim().ToLowerInvariant() : "";
        var choiceText = body?["choice"] is JsonValue c && c.TryGetValue<string>(out var ch) ? ch.Trim() : "";
        // Enum.TryParse takes "0" too; only the names are choices.
        if (!Enum.TryParse<VoteChoice>(choiceText, ignoreCase: true, out var choice) || !Enum.GetNames<VoteChoice>().Contains(choiceText, StringComparer.OrdinalIgnoreCase))
            return Problem(StatusCodes.Status400BadRequest, "vote-invalid", "\"choice\" must be yes, no or abstain", "Send {\"participant\":\"a@x.vn\",\"choice\":\"yes\"}.");
        return await VoteResultAsync(id, item, s, await s.Store.CastVoteAsync(id, item, participant, choice, AuditActors.Of(http), ct),
            "Votes are taken while the vote is open and the meeting is InSession", ct, participant);
    }

    internal static async Task<IResult> CloseVote(string id, int item, HttpContext http, Services s, CancellationToken ct) =>
        await VoteResultAsync(id, item, s, await s.Store.CloseVoteAsync(id, item, AuditActors.Of(http), ct), "", ct);

    private static async Task<IResult> VoteResultAsync(string id, int item, Services s, MeetingChange result, string wrongState, CancellationToken ct, string? participant = null)
    {
        if (await s.Store.GetAsync(id, ct) is not { } meeting) return NotFound(id);
        return result switch
        {
            MeetingChange.Done => TypedResults.Ok(await ResponseAsync(meeting, s, ct)),
            MeetingChange.NotFound when participant is not null && meeting.Plan.Agenda.Any(a => a.Number == item) =>
                Problem(StatusCodes.Status404NotFound, "vote-not-found", $"No open vote on item {item} for {participant}", "Open the vote first; only participants who may see the item vote."),
            MeetingChange.NotFound => ItemNotFound(id, item),
            MeetingChange.AlreadyDone => Problem(StatusCodes.Status409Conflict, "vote-done", participant is null ? $"The vote on item {item} is already open or closed" : $"{participant} has already voted on item {item}", "One vote per participant and item."),
            _ => Problem(StatusCodes.Status409Conflict, "meeting-wrong-state", wrongState, "Start the meeting (POST /api/meetings/{id}/start) and open the vote."),
        };
    }

    private static IResult ItemNotFound(string id, int item) =>
        Problem(StatusCodes.Status404NotFound, "item-not-found", $"Meeting '{id}' has no agenda item {item}", "Items are numbered from 1 in agenda order.");
}
