using Pipeline.Functions.Durable;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Pipeline.Functions.Approval;

/// <summary>
/// <c>ApprovalWorkflow</c>: takes a document through the steps of its route. Each step opens (links issued, approvers
/// mailed), then waits for the <see cref="StepDecidedEvent"/> the decision page raises once the store has ended the
/// step, against durable timers: at half the due time the undecided approvers are reminded, at the due time the step
/// is escalated and marked overdue (it never passes by itself), and when the links run out (due plus grace) the
/// approval expires. An approved step opens the next; anything else ends the approval.
/// </summary>
/// <remarks>
/// <para>Decisions are recorded, and steps ended, by the store in one transaction with the decision itself; this
/// orchestration only carries the approval forward, so its activities are idempotent and a crash anywhere repeats no
/// mail (each has a stable key, see <see cref="ApprovalMailing"/>).</para>
/// <para>Nothing it is told is taken on trust, because anyone who can start an orchestration or raise an event could
/// otherwise approve a document no approver decided on: its start is checked against the store
/// (<see cref="BeginApproval"/>: the approval exists, is pending, is run by this instance and has exactly the steps
/// claimed, at least one), and every event is checked against the decision the store recorded for that step and that
/// approver (<see cref="CheckStepEvent"/>) before it acts, on the outcome as stored. An event the store does not back
/// is audited and ignored; a malformed one too (events are read as JSON of any shape, so none can fail the
/// orchestration and leave the document stuck in approval).</para>
/// </remarks>
public static class ApprovalWorkflow
{
    /// <summary>The registered name.</summary>
    public const string Name = "ApprovalWorkflow";

    /// <summary>The event a step's end raises (payload <see cref="StepDecided"/>).</summary>
    public const string StepDecidedEvent = "StepDecided";

    /// <summary>The output of an orchestration that refused to run (see <see cref="BeginApproval"/>).</summary>
    public const string Refused = "Refused";

    /// <summary>The orchestration; its input (<see cref="ApprovalInput"/>) is read as JSON of any shape, or none.</summary>
    [Function(Name)]
    public static async Task<string> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var log = context.CreateReplaySafeLogger(typeof(ApprovalWorkflow));
        // Not an input parameter (DURABLE0009's advice): the extension binds one only when an input was given, so a
        // start with none would fail the instance instead of being refused like any other malformed start.
#pragma warning disable DURABLE0009
        var start = context.GetInput<JsonElement?>();
#pragma warning restore DURABLE0009
        if (ReadInput(start ?? default) is not { } input)
        {
            log.LogWarning("ApprovalWorkflow {InstanceId} refused: its input is not {{\"approvalId\":\"…\",\"stepCount\":n}}", context.InstanceId);
            return Refused;
        }
        var begun = await context.CallActivityAsync<ApprovalStartAnswer>(BeginApproval.Name,
            new ApprovalStart(input.ApprovalId, context.InstanceId, input.StepCount), WorkflowRetries.Patient);
        if (!begun.Accepted)
        {
            log.LogWarning("ApprovalWorkflow {InstanceId} refused for approval {ApprovalId}: {Reason}", context.InstanceId, input.ApprovalId, begun.Reason);
            return Refused;
        }

        var events = new EventWaiter();
        for (var step = 0; step < begun.StepCount; step++)
        {
            var schedule = await context.CallActivityAsync<StepSchedule>(OpenApprovalStep.Name,
                new StepWork(input.ApprovalId, step, context.CurrentUtcDateTime), WorkflowRetries.Patient);
            if (!schedule.Open) return ApprovalStatus.Cancelled.ToString();
            context.SetCustomStatus(new { step, stepCount = begun.StepCount, stage = "waiting", dueAt = schedule.DueAt });

            var outcome = await WaitForStepAsync(context, input.ApprovalId, step, schedule, events, log);
            if (outcome == StepStatus.Approved) continue;
            if (outcome == StepStatus.Cancelled) return ApprovalStatus.Cancelled.ToString();
            return await FinishAsync(context, input.ApprovalId, outcome switch
            {
                StepStatus.Rejected => ApprovalStatus.Rejected,
                StepStatus.Returned => ApprovalStatus.Returned,
                _ => ApprovalStatus.Expired,
            });
        }
        return await FinishAsync(context, input.ApprovalId, ApprovalStatus.Approved);
    }

    // The input as {"approvalId","stepCount"} of any casing, or null when it is not that shape. Read from JSON by hand
    // so that no input can fail the orchestration before it has refused it.
    internal static ApprovalInput? ReadInput(JsonElement input)
    {
        if (input.ValueKind != JsonValueKind.Object) return null;
        string? approvalId = null;
        int? stepCount = null;
        foreach (var property in input.EnumerateObject())
        {
            if (string.Equals(property.Name, "approvalId", StringComparison.OrdinalIgnoreCase))
                approvalId = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
            else if (string.Equals(property.Name, "stepCount", StringComparison.OrdinalIgnoreCase))
                stepCount = property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var n) ? n : null;
        }
        return string.IsNullOrWhiteSpace(approvalId) || stepCount is null ? null : new ApprovalInput(approvalId, stepCount.Value);
    }

    private static async Task<StepStatus> WaitForStepAsync(TaskOrchestrationContext context, string approvalId, int step, StepSchedule schedule,
        EventWaiter events, ILogger log)
    {
        var work = new StepWork(approvalId, step, context.CurrentUtcDateTime);
        var deadlines = new[] { schedule.RemindAt, schedule.DueAt, schedule.ExpiresAt };
        using var cancelTimer = new CancellationTokenSource();
        var timer = context.CreateTimer(deadlines[0], cancelTimer.Token);
        // Each round ends with an event (checked, then waited past) or the next deadline; the last deadline returns.
        for (var passed = 0; passed < deadlines.Length;)
        {
            var decided = events.Next(context);
            var first = await Task.WhenAny(timer, decided);
            if (first == decided)
            {
                var claim = await decided;
                events.Clear();
                var answer = await context.CallActivityAsync<StepEventAnswer>(CheckStepEvent.Name,
                    new StepEventCheck(approvalId, context.InstanceId, step, claim is { ValueKind: not JsonValueKind.Undefined } json ? json.GetRawText() : null),
                    WorkflowRetries.Patient);
                if (answer.Verdict == StepEventVerdict.Backed)
                {
                    cancelTimer.Cancel();
                    return answer.Outcome!.Value;
                }
                if (answer.Verdict == StepEventVerdict.Refused)
                    log.LogWarning("Approval {ApprovalId}: a {Event} event the store does not back was ignored: {Reason}", approvalId, StepDecidedEvent, answer.Reason);
                continue;
            }

            switch (passed++)
            {
                case 0:
                    await context.CallActivityAsync<int>(RemindApprovers.Name, work, WorkflowRetries.Patient);
                    context.SetCustomStatus(new { step, stage = "reminded", dueAt = schedule.DueAt });
                    break;
                case 1:
                    await context.CallActivityAsync<int>(EscalateApprovalStep.Name, work, WorkflowRetries.Patient);
                    context.SetCustomStatus(new { step, stage = "overdue", dueAt = schedule.DueAt });
                    break;
                default:
                    // The store says how the step ended: expired now, or by a decision that got in first.
                    return await context.CallActivityAsync<StepStatus>(ExpireApprovalStep.Name, work, WorkflowRetries.Patient);
            }
            timer = context.CreateTimer(deadlines[passed], cancelTimer.Token);
        }
        throw new InvalidOperationException("Unreachable: the last deadline ends the step.");
    }

    private static async Task<string> FinishAsync(TaskOrchestrationContext context, string approvalId, ApprovalStatus outcome)
    {
        var finished = await context.CallActivityAsync<ApprovalStatus>(FinishApproval.Name, new FinishWork(approvalId, outcome), WorkflowRetries.Patient);
        context.SetCustomStatus(new { stage = "finished", outcome = finished.ToString() });
        return finished.ToString();
    }

    /// <summary>
    /// The one wait for <see cref="StepDecidedEvent"/> at a time. A wait is never cancelled: it is carried over from
    /// timer to timer and step to step until an event completes it, so no abandoned wait can swallow a later event.
    /// Events are read as JSON of any shape; what they say is for the store to judge.
    /// </summary>
    private sealed class EventWaiter
    {
        // Nullable: an event with no payload at all is delivered as null, which a bare struct could not take.
        private Task<JsonElement?>? _pending;

        public Task<JsonElement?> Next(TaskOrchestrationContext context) => _pending ??= context.WaitForExternalEvent<JsonElement?>(StepDecidedEvent);

        public void Clear() => _pending = null;
    }
}
