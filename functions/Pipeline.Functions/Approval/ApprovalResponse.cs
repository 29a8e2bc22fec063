namespace Pipeline.Functions.Approval;

/// <summary><c>GET /api/approvals/{approvalId}</c> (API.md, with the step times and approvers added).</summary>
public sealed record ApprovalResponse(string ApprovalId, string DocumentId, string Status, int? CurrentStep, string? Route, string InstanceId,
    DateTime CreatedTime, DateTime? FinishedTime, IReadOnlyList<ApprovalStepResponse> Steps)
{
    /// <summary>The response for <paramref name="approval"/>.</summary>
    public static ApprovalResponse From(ApprovalRecord approval) => new(approval.Id, approval.DocumentId, approval.Status.ToString(),
        approval.Status == ApprovalStatus.Pending ? approval.CurrentStep : null, approval.Route.Name, approval.InstanceId, approval.Created, approval.Finished,
        [.. approval.Steps.Select(step =>
        {
            var route = approval.Route.Steps[step.Index];
            return new ApprovalStepResponse(route.Name, route.Mode.ToString().ToLowerInvariant(), step.Status.ToString(), route.DueText, route.Approvers,
                route.EscalationContact, step.Started, step.RemindAt, step.DueAt, step.ExpiresAt, step.Ended,
                [.. step.Decisions.Select(d => new ApprovalDecisionResponse(d.Approver, d.Decision.ToApiName(), d.Comment, d.At))]);
        })]);
}

/// <summary>One step of <see cref="ApprovalResponse"/>.</summary>
public sealed record ApprovalStepResponse(string Name, string Mode, string Status, string Due, IReadOnlyList<string> Approvers, string? Escalation,
    DateTime? StartedAt, DateTime? RemindAt, DateTime? DueAt, DateTime? ExpiresAt, DateTime? EndedAt, IReadOnlyList<ApprovalDecisionResponse> Decisions);

/// <summary>One decision.</summary>
public sealed record ApprovalDecisionResponse(string Approver, string Decision, string? Comment, DateTime At);

/// <summary><c>GET /api/documents/{id}/approvals</c>.</summary>
public sealed record ApprovalList(IReadOnlyList<ApprovalResponse> Approvals);
