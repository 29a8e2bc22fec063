using Pipeline.Durable;
using Pipeline.Functions.Durable;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// <c>MeetingWorkflow</c> (instance <c>meeting-&lt;id&gt;</c>, started with the meeting): waits for commands. <c>publish</c>
/// and <c>changed</c> build the next pack version and tell every participant (the invitation with their link for the
/// first, a notice for later ones); <c>archive</c> writes the minutes into the archive and ends the meeting's life. Going
/// into session and concluding are plain state changes the API makes in the store. Each command ends with
/// <c>ContinueAsNew</c>, so the history stays short however often the agenda changes.
/// </summary>
[DurableTask(Name)]
public sealed class MeetingWorkflow : TaskOrchestrator<MeetingWorkflowState, string>
{
    /// <summary>The registered name.</summary>
    public const string Name = "MeetingWorkflow";

    /// <inheritdoc/>
    public override async Task<string> RunAsync(TaskOrchestrationContext context, MeetingWorkflowState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        context.SetCustomStatus(new { stage = "waiting", packVersion = state.PackVersion });
        var command = await context.WaitForExternalEvent<MeetingCommand>(MeetingCommand.EventName);
        switch (command.Kind)
        {
            case "publish" or "changed":
                var version = state.PackVersion + 1;
                context.SetCustomStatus(new { stage = "building-pack", packVersion = version });
                await context.CallActivityAsync<int>(BuildMeetingPack.Name, new PackWork(state.MeetingId, version), WorkflowRetries.Patient);
                context.SetCustomStatus(new { stage = "notifying", packVersion = version });
                await context.CallActivityAsync<int>(NotifyParticipants.Name, new PackWork(state.MeetingId, version), WorkflowRetries.Patient);
                context.ContinueAsNew(state with { PackVersion = version });
                return "continued";
            case "archive":
                context.SetCustomStatus(new { stage = "writing-minutes", packVersion = state.PackVersion });
                var minutes = await context.CallActivityAsync<string>(ArchiveMeeting.Name, state.MeetingId, WorkflowRetries.Patient);
                context.SetCustomStatus(new { stage = "archived", packVersion = state.PackVersion, minutesDocumentId = minutes });
                return "Archived";
            default:
                context.ContinueAsNew(state);
                return "continued";
        }
    }
}

/// <summary>
/// <c>OpinionWorkflow</c> (instance <c>opinions-&lt;meeting&gt;-&lt;item&gt;</c>): asks the participants who may see the item
/// for a written opinion, reminds those who have not answered a day before the deadline (halfway, when the deadline is
/// nearer than two days), and closes the request at the deadline.
/// </summary>
[DurableTask(Name)]
public sealed class OpinionWorkflow : TaskOrchestrator<OpinionInput, string>
{
    /// <summary>The registered name.</summary>
    public const string Name = "OpinionWorkflow";

    /// <summary>The instance of the request on one item.</summary>
    public static string InstanceIdOf(string meetingId, int item) => $"opinions-{meetingId}-{item}";

    /// <inheritdoc/>
    public override async Task<string> RunAsync(TaskOrchestrationContext context, OpinionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = context.CurrentUtcDateTime;
        await context.CallActivityAsync<int>(SendOpinionMails.Name, new OpinionWork(input.MeetingId, input.Item, false, now), WorkflowRetries.Patient);
        var left = input.Deadline - now;
        var remindAt = left > TimeSpan.FromDays(2) ? input.Deadline - TimeSpan.FromDays(1) : now + left / 2;
        context.SetCustomStatus(new { stage = "asked", remindAt, deadline = input.Deadline });
        await context.CreateTimer(remindAt, CancellationToken.None);
        await context.CallActivityAsync<int>(SendOpinionMails.Name, new OpinionWork(input.MeetingId, input.Item, true, remindAt), WorkflowRetries.Patient);
        context.SetCustomStatus(new { stage = "reminded", deadline = input.Deadline });
        await context.CreateTimer(input.Deadline, CancellationToken.None);
        await context.CallActivityAsync<bool>(CloseOpinions.Name, new OpinionWork(input.MeetingId, input.Item, false, input.Deadline), WorkflowRetries.Patient);
        context.SetCustomStatus(new { stage = "closed", deadline = input.Deadline });
        return "closed";
    }
}
