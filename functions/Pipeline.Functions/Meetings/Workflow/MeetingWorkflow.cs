using Pipeline.Functions.Durable;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// <c>MeetingWorkflow</c> (instance <c>meeting-&lt;id&gt;</c>, started with the meeting): waits for commands. <c>publish</c>
/// and <c>changed</c> build the next pack version and tell every participant (the invitation with their link for the
/// first, a notice for later ones); <c>archive</c> writes the minutes into the archive and ends the meeting's life. Going
/// into session, opinions, votes and conclusions are plain state changes the API makes in the store. Each command ends
/// with <c>ContinueAsNew</c>, so the history stays short however often the agenda changes.
/// </summary>
/// <remarks>
/// A command is only a claim: before acting, the workflow asks the store (<see cref="CheckMeetingCommand"/>) whether
/// the meeting is in a state that backs it — published with a plan newer than its last pack, or concluded — and
/// ignores it otherwise. A payload that is not a command is ignored without touching the store, and an activity that
/// keeps failing is recorded in the custom status instead of ending the workflow, so neither a forged nor a malformed
/// event can make it act or get it stuck.
/// </remarks>
public static class MeetingWorkflow
{
    /// <summary>The registered name.</summary>
    public const string Name = "MeetingWorkflow";

    /// <summary>Runs one command, then continues as new (or ends, once archived).</summary>
    [Function(Name)]
    public static async Task<string> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var log = context.CreateReplaySafeLogger(Name);
        var state = InputOf<MeetingWorkflowState>(context);
        if (state is null || string.IsNullOrWhiteSpace(state.MeetingId))
        {
            log.LogWarning("MeetingWorkflow {InstanceId} started without a meeting: ended.", context.InstanceId);
            return "ignored";
        }

        context.SetCustomStatus(new { stage = "waiting", packVersion = state.PackVersion, handled = state.Handled, lastIgnored = state.LastIgnored, lastError = state.LastError });
        var next = state with { Handled = state.Handled + 1, LastIgnored = null };
        var payload = await context.WaitForExternalEvent<JsonElement?>(MeetingCommand.EventName);
        if (MeetingCommand.KindOf(payload) is not { } kind)
        {
            log.LogWarning("MeetingWorkflow {InstanceId}: ignored a command event that is not a command.", context.InstanceId);
            context.ContinueAsNew(next with { LastIgnored = "an event that is not a command" });
            return "continued";
        }

        MeetingCommandDecision decision;
        try
        {
            decision = await context.CallActivityAsync<MeetingCommandDecision>(CheckMeetingCommand.Name,
                new MeetingCommandClaim(state.MeetingId, context.InstanceId, kind), WorkflowRetries.Patient);
        }
        catch (TaskFailedException e)
        {
            context.ContinueAsNew(next with { LastError = $"checking {kind}: {e.FailureDetails.ErrorMessage}" });
            return "continued";
        }

        switch (decision.Action)
        {
            case MeetingCommandDecision.Build:
                var version = decision.Version;
                try
                {
                    context.SetCustomStatus(new { stage = "building-pack", packVersion = version });
                    await context.CallActivityAsync<int>(BuildMeetingPack.Name, new PackWork(state.MeetingId, version), WorkflowRetries.Patient);
                    context.SetCustomStatus(new { stage = "notifying", packVersion = version });
                    await context.CallActivityAsync<int>(NotifyParticipants.Name, new PackWork(state.MeetingId, version), WorkflowRetries.Patient);
                }
                catch (TaskFailedException e)
                {
                    log.LogError("MeetingWorkflow {InstanceId}: pack version {Version} failed: {Error}", context.InstanceId, version, e.FailureDetails.ErrorMessage);
                    context.ContinueAsNew(next with { PackVersion = decision.PackVersion, LastError = $"pack version {version}: {e.FailureDetails.ErrorMessage}" });
                    return "continued";
                }
                context.ContinueAsNew(next with { PackVersion = version, LastError = null });
                return "continued";
            case MeetingCommandDecision.Archive:
                string minutes;
                try
                {
                    context.SetCustomStatus(new { stage = "writing-minutes", packVersion = state.PackVersion });
                    minutes = await context.CallActivityAsync<string>(ArchiveMeeting.Name, state.MeetingId, WorkflowRetries.Patient);
                }
                catch (TaskFailedException e)
                {
                    log.LogError("MeetingWorkflow {InstanceId}: the minutes failed: {Error}", context.InstanceId, e.FailureDetails.ErrorMessage);
                    context.ContinueAsNew(next with { LastError = $"minutes: {e.FailureDetails.ErrorMessage}" });
                    return "continued";
                }
                context.SetCustomStatus(new { stage = "archived", packVersion = state.PackVersion, minutesDocumentId = minutes });
                return "Archived";
            case MeetingCommandDecision.End:
                log.LogWarning("MeetingWorkflow {InstanceId}: {Reason}; ended.", context.InstanceId, decision.Reason);
                return "ended";
            default:
                log.LogWarning("MeetingWorkflow {InstanceId}: ignored {Kind}: {Reason}", context.InstanceId, kind, decision.Reason);
                context.ContinueAsNew(next with { PackVersion = decision.PackVersion, LastIgnored = $"{kind}: {decision.Reason}" });
                return "continued";
        }
    }

    // Property names in any case (the worker's serializer may camel-case them).
    private static readonly JsonSerializerOptions InputJson = new(JsonSerializerDefaults.Web);

    /// <summary>The orchestration's input, or null when it is missing or not a <typeparamref name="T"/>.</summary>
    /// <remarks>
    /// Read with <c>GetInput</c> rather than bound to a parameter (DURABLE0009's suggestion): a bound input that does not
    /// deserialize fails the orchestration before its code runs, while here it only ends it quietly.
    /// </remarks>
    internal static T? InputOf<T>(TaskOrchestrationContext context) where T : class
    {
        try
        {
#pragma warning disable DURABLE0009 // see remarks
            // Functions hands the input over as a JsonElement (the trigger declares no input type); read it leniently.
            return context.GetInput<object>() switch
            {
                T typed => typed,
                JsonElement json => json.Deserialize<T>(InputJson),
                _ => null,
            };
#pragma warning restore DURABLE0009
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or InvalidCastException)
        {
            return null;
        }
    }
}

/// <summary>
/// <c>OpinionWorkflow</c> (instance <c>opinions-&lt;meeting&gt;-&lt;item&gt;</c>): asks the participants who may see the item
/// for a written opinion, reminds those who have not answered a day before the deadline (halfway, when the deadline is
/// nearer than two days), and closes the request at the deadline. The request and its deadline are the store's: an
/// input naming no open request, or another deadline, changes nothing.
/// </summary>
public static class OpinionWorkflow
{
    /// <summary>The registered name.</summary>
    public const string Name = "OpinionWorkflow";

    /// <summary>The instance of the request on one item.</summary>
    public static string InstanceIdOf(string meetingId, int item) => $"opinions-{meetingId}-{item}";

    /// <summary>Asks, reminds, closes.</summary>
    [Function(Name)]
    public static async Task<string> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var log = context.CreateReplaySafeLogger(Name);
        var input = MeetingWorkflow.InputOf<OpinionInput>(context);
        if (input is null || string.IsNullOrWhiteSpace(input.MeetingId) || context.InstanceId != InstanceIdOf(input.MeetingId, input.Item))
        {
            log.LogWarning("OpinionWorkflow {InstanceId} started without a matching request: ended.", context.InstanceId);
            return "ignored";
        }

        var now = context.CurrentUtcDateTime;
        var stored = await context.CallActivityAsync<OpinionRequestState>(CheckOpinionRequest.Name, new OpinionWork(input.MeetingId, input.Item, false, now), WorkflowRetries.Patient);
        if (!stored.Exists || stored.Closed)
        {
            log.LogWarning("OpinionWorkflow {InstanceId}: the store has no open request on item {Item}; ended.", context.InstanceId, input.Item);
            return "ignored";
        }
        var deadline = DateTime.SpecifyKind(stored.Deadline, DateTimeKind.Utc);

        await context.CallActivityAsync<int>(SendOpinionMails.Name, new OpinionWork(input.MeetingId, input.Item, false, now), WorkflowRetries.Patient);
        var left = deadline - now;
        var remindAt = left > TimeSpan.FromDays(2) ? deadline - TimeSpan.FromDays(1) : now + left / 2;
        context.SetCustomStatus(new { stage = "asked", remindAt, deadline });
        await context.CreateTimer(remindAt, CancellationToken.None);
        await context.CallActivityAsync<int>(SendOpinionMails.Name, new OpinionWork(input.MeetingId, input.Item, true, remindAt), WorkflowRetries.Patient);
        context.SetCustomStatus(new { stage = "reminded", deadline });
        await context.CreateTimer(deadline, CancellationToken.None);
        // The store closes the request only once its deadline has passed by its own clock; a few seconds cover any skew.
        for (var attempt = 0; !await context.CallActivityAsync<bool>(CloseOpinions.Name, new OpinionWork(input.MeetingId, input.Item, false, deadline), WorkflowRetries.Patient); attempt++)
        {
            if (attempt == 10) throw new InvalidOperationException($"The opinion request on item {input.Item} would not close after its deadline {deadline:O}.");
            await context.CreateTimer(context.CurrentUtcDateTime.AddSeconds(5), CancellationToken.None);
        }
        context.SetCustomStatus(new { stage = "closed", deadline });
        return "closed";
    }
}
