using Pipeline.Functions.Links;

namespace Pipeline.Functions.Approval;

/// <summary>Where an approval is (API.md). Stored and served by name.</summary>
public enum ApprovalStatus
{
    /// <summary>Waiting for decisions.</summary>
    Pending,
    /// <summary>Every step approved.</summary>
    Approved,
    /// <summary>A step rejected the document.</summary>
    Rejected,
    /// <summary>A step returned the document for revision.</summary>
    Returned,
    /// <summary>A step's links ran out (due time plus grace) with no decision.</summary>
    Expired,
    /// <summary>Cancelled over the API.</summary>
    Cancelled,
}

/// <summary>Where one step of an approval is.</summary>
public enum StepStatus
{
    /// <summary>Not reached yet.</summary>
    Waiting,
    /// <summary>Mailed; waiting for decisions.</summary>
    Pending,
    /// <summary>Past its due time, escalated, still waiting for decisions.</summary>
    Overdue,
    /// <summary>Approved.</summary>
    Approved,
    /// <summary>Rejected.</summary>
    Rejected,
    /// <summary>Returned for revision.</summary>
    Returned,
    /// <summary>Its links ran out with no decision.</summary>
    Expired,
    /// <summary>The approval was cancelled while the step was open.</summary>
    Cancelled,
}

/// <summary>One approver's answer.</summary>
public enum ApprovalDecision
{
    /// <summary><c>approve</c>.</summary>
    Approve,
    /// <summary><c>reject</c> (a comment is required).</summary>
    Reject,
    /// <summary><c>return</c> for revision.</summary>
    Return,
}

/// <summary>Names on the wire.</summary>
public static class ApprovalNames
{
    /// <summary><c>approve|reject|return</c>.</summary>
    public static string ToApiName(this ApprovalDecision decision) => decision switch
    {
        ApprovalDecision.Approve => "approve",
        ApprovalDecision.Reject => "reject",
        _ => "return",
    };

    /// <summary>Reads <c>approve|reject|return</c> (case-insensitive).</summary>
    public static bool TryParseDecision(string? text, out ApprovalDecision decision)
    {
        decision = ApprovalDecision.Approve;
        switch (text?.Trim().ToLowerInvariant())
        {
            case "approve": return true;
            case "reject": decision = ApprovalDecision.Reject; return true;
            case "return": decision = ApprovalDecision.Return; return true;
            default: return false;
        }
    }

    /// <summary>The step outcome a deciding decision gives.</summary>
    public static StepStatus Outcome(this ApprovalDecision decision) => decision switch
    {
        ApprovalDecision.Approve => StepStatus.Approved,
        ApprovalDecision.Reject => StepStatus.Rejected,
        _ => StepStatus.Returned,
    };

    /// <summary>True once the step can take no more decisions.</summary>
    public static bool IsFinished(this StepStatus status) => status is not (StepStatus.Waiting or StepStatus.Pending or StepStatus.Overdue);
}

/// <summary>An approval as stored, with its steps.</summary>
/// <param name="Id">The approval id (a GUID, <c>N</c> format).</param>
/// <param name="DocumentId">The document being approved.</param>
/// <param name="Office">The document's office.</param>
/// <param name="InstanceId">The orchestration running it (<c>approval-&lt;id&gt;</c>).</param>
/// <param name="Route">The route as it was when requested, roles already resolved to people.</param>
/// <param name="Status">Where it is.</param>
/// <param name="CurrentStep">The 0-based step awaiting decisions; null when finished or not started.</param>
/// <param name="DocumentStatusBefore">The document's status before the approval, restored if it is cancelled or expires.</param>
/// <param name="RequestedBy">Who asked for it (audit actor).</param>
/// <param name="Created">When it was asked for.</param>
/// <param name="Finished">When it finished.</param>
/// <param name="Steps">The steps with their state and decisions.</param>
public sealed record ApprovalRecord(
    string Id, string DocumentId, string Office, string InstanceId, ApprovalRoute Route, ApprovalStatus Status, int? CurrentStep,
    string DocumentStatusBefore, string RequestedBy, DateTime Created, DateTime? Finished, IReadOnlyList<StepRecord> Steps)
{
    /// <summary>The orchestration instance id of an approval.</summary>
    public static string InstanceIdOf(string approvalId) => "approval-" + approvalId;
}

/// <summary>One step's state.</summary>
/// <param name="Index">0-based.</param>
/// <param name="Status">Where it is.</param>
/// <param name="Started">When its mails went out.</param>
/// <param name="DueAt">Its due time (working time from <paramref name="Started"/>).</param>
/// <param name="RemindAt">When the undecided approvers are reminded (half the due time).</param>
/// <param name="ExpiresAt">When its links stop working (due time plus grace).</param>
/// <param name="Ended">When it was decided, expired or cancelled.</param>
/// <param name="Decisions">The decisions, in the order they were made.</param>
public sealed record StepRecord(int Index, StepStatus Status, DateTime? Started, DateTime? DueAt, DateTime? RemindAt, DateTime? ExpiresAt,
    DateTime? Ended, IReadOnlyList<DecisionRecord> Decisions);

/// <summary>One recorded decision.</summary>
public sealed record DecisionRecord(string Approver, ApprovalDecision Decision, string? Comment, DateTime At);

/// <summary>One approver's link for one step, as stored (the token is re-signed from these claims when needed).</summary>
/// <param name="TokenId">The link's id.</param>
/// <param name="ApprovalId">The approval.</param>
/// <param name="Step">The step.</param>
/// <param name="Approver">The approver's address.</param>
/// <param name="State">Issued (usable), Used (decided with it) or Superseded (its step or approval ended).</param>
/// <param name="Issued">When it was made; the invitation mail carries this time, so a retried send is the same mail.</param>
/// <param name="ExpiresAt">When it stops working.</param>
public sealed record ApprovalLinkRecord(string TokenId, string ApprovalId, int Step, string Approver, LinkState State, DateTime Issued, DateTime ExpiresAt)
{
    /// <summary>The claims to sign into the link.</summary>
    public LinkClaims Claims => new(ApprovalId, Step, Approver, TokenId, new DateTimeOffset(ExpiresAt, TimeSpan.Zero));
}

/// <summary>What a link can still do.</summary>
public enum LinkState
{
    /// <summary>Usable.</summary>
    Issued,
    /// <summary>A decision was made with it.</summary>
    Used,
    /// <summary>Its step or approval ended before it was used.</summary>
    Superseded,
}
