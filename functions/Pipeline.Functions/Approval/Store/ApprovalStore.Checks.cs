using System.Text.Json;
using Pipeline.Functions.Documents;

namespace Pipeline.Functions.Approval;

public sealed partial class ApprovalStore
{
    /// <summary>Longest event text kept in the audit entry of an ignored event.</summary>
    private const int MaxAuditedEventChars = 500;

    /// <summary>
    /// Whether orchestration <paramref name="instanceId"/> may run approval <paramref name="approvalId"/> over
    /// <paramref name="stepCount"/> steps: the approval exists and is pending, it is the approval's own instance
    /// (<see cref="ApprovalRecord.InstanceIdOf"/>), and the stored route has exactly that many steps, at least one. A
    /// refusal of a known approval is audited (<c>approval-start-refused</c>).
    /// </summary>
    public async Task<ApprovalStartAnswer> CheckStartAsync(string approvalId, string instanceId, int stepCount, CancellationToken ct = default)
    {
        var approval = await GetAsync(approvalId, ct);
        if (approval is null) return new(false, 0, $"there is no approval '{approvalId}'");
        string? reason = null;
        if (instanceId != approval.InstanceId) reason = $"the approval is run by instance {approval.InstanceId}, not {instanceId}";
        else if (stepCount < 1) reason = $"an approval needs at least one step, and {stepCount} were claimed";
        else if (stepCount != approval.Route.Steps.Count) reason = $"the approval has {approval.Route.Steps.Count} steps, not the {stepCount} claimed";
        else if (approval.Status != ApprovalStatus.Pending) reason = $"the approval has ended ({approval.Status})";
        if (reason is null) return new(true, approval.Route.Steps.Count, "");

        await AppendAuditAsync(approval.DocumentId, new AuditEntry("approval-start-refused", AuditEntry.System,
            Detail(new { approvalId, instanceId, stepCount, reason })), ct);
        return new(false, 0, reason);
    }

    /// <summary>
    /// What the store says about a step-ended event (<see cref="StepDecided"/> as JSON) received by the orchestration
    /// waiting on step <see cref="StepEventCheck.Step"/>. Backed only when that step ended in the store as the event
    /// says, by a recorded decision of the approver it names whose decision gives that outcome (a cancellation: when the
    /// approval was cancelled); stale when it is true of an earlier step; otherwise refused, and audited
    /// (<c>approval-event-ignored</c>) when the approval is known. Never throws for what the event holds.
    /// </summary>
    public async Task<StepEventAnswer> CheckStepEventAsync(StepEventCheck check, CancellationToken ct = default)
    {
        var approval = await GetAsync(check.ApprovalId, ct);
        if (approval is null) return new(StepEventVerdict.Refused, null, $"there is no approval '{check.ApprovalId}'");
        var (verdict, outcome, reason) = Judge(approval, check);
        if (verdict == StepEventVerdict.Refused)
        {
            var text = check.Event is { Length: > MaxAuditedEventChars } long_ ? long_[..MaxAuditedEventChars] + "…" : check.Event;
            await AppendAuditAsync(approval.DocumentId, new AuditEntry("approval-event-ignored", AuditEntry.System,
                Detail(new { approvalId = approval.Id, step = check.Step, @event = text, reason })), ct);
        }
        return new(verdict, outcome, reason);
    }

    private static (StepEventVerdict, StepStatus?, string) Judge(ApprovalRecord approval, StepEventCheck check)
    {
        if (check.InstanceId != approval.InstanceId) return (StepEventVerdict.Refused, null, $"instance {check.InstanceId} does not run this approval");
        if (ReadClaim(check.Event) is not { } claim)
            return (StepEventVerdict.Refused, null, "the event is not {\"step\":n,\"outcome\":\"…\",\"approver\":\"…\"}");
        if (claim.Step < 0 || claim.Step >= approval.Steps.Count) return (StepEventVerdict.Refused, null, $"the approval has no step {claim.Step}");
        if (claim.Step > check.Step) return (StepEventVerdict.Refused, null, $"step {claim.Step} has not opened");

        var stored = approval.Steps[claim.Step];
        if (!stored.Status.IsFinished()) return (StepEventVerdict.Refused, null, $"step {claim.Step} has not ended in the store (it is {stored.Status})");
        if (claim.Outcome != stored.Status) return (StepEventVerdict.Refused, null, $"step {claim.Step} ended {stored.Status} in the store, not {claim.Outcome}");
        switch (stored.Status)
        {
            case StepStatus.Approved or StepStatus.Rejected or StepStatus.Returned:
                if (claim.Approver is null || !stored.Decisions.Any(d => d.Approver == claim.Approver && d.Decision.Outcome() == stored.Status))
                    return (StepEventVerdict.Refused, null, $"no decision of {claim.Approver ?? "an unnamed approver"} ended step {claim.Step} as {stored.Status}");
                break;
            case StepStatus.Cancelled:
                if (approval.Status != ApprovalStatus.Cancelled) return (StepEventVerdict.Refused, null, "the approval was not cancelled");
                break;
        }
        return claim.Step < check.Step
            ? (StepEventVerdict.Stale, null, $"step {claim.Step} ended earlier")
            : (StepEventVerdict.Backed, stored.Status, "");
    }

    // {"step":n,"outcome":"Approved"|3,"approver":"a@x.vn"} in any casing, or null for anything else.
    private static StepDecided? ReadClaim(string? json)
    {
        if (json is null) return null;
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
        if (root.ValueKind != JsonValueKind.Object) return null;
        int? step = null;
        StepStatus? outcome = null;
        string? approver = null;
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name.ToLowerInvariant())
            {
                case "step":
                    step = value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : null;
                    break;
                case "outcome":
                    if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && Enum.IsDefined((StepStatus)number))
                        outcome = (StepStatus)number;
                    else if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } name && char.IsLetter(name[0])
                             && Enum.TryParse<StepStatus>(name, ignoreCase: true, out var parsed))
                        outcome = parsed;
                    break;
                case "approver":
                    approver = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                    break;
            }
        }
        return step is { } s && outcome is { } o ? new StepDecided(s, o, approver) : null;
    }

    // Whether the steps as stored give the approval the end the orchestration asks for: Approved only when every
    // step was approved; Rejected, Returned or Expired only when a step ended so.
    private static bool StepsGive(ApprovalRecord approval, ApprovalStatus outcome) => outcome switch
    {
        ApprovalStatus.Approved => approval.Steps.Count > 0 && approval.Steps.All(s => s.Status == StepStatus.Approved),
        ApprovalStatus.Rejected => approval.Steps.Any(s => s.Status == StepStatus.Rejected),
        ApprovalStatus.Returned => approval.Steps.Any(s => s.Status == StepStatus.Returned),
        ApprovalStatus.Expired => approval.Steps.Any(s => s.Status == StepStatus.Expired),
        _ => true,
    };

    private async Task AppendAuditAsync(string documentId, AuditEntry entry, CancellationToken ct)
    {
        await using var connection = _database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        _audit.Append(transaction, documentId, entry);
        await transaction.CommitAsync(ct);
    }
}
