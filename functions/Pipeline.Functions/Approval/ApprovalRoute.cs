namespace Pipeline.Functions.Approval;

/// <summary>
/// Who approves a document, in order: steps, each with its approvers, how their decisions combine, and how long
/// they have. A named route lives in the data directory (<c>routes.json</c>) or comes over the admin API; an
/// inline route comes with the approval request. Both are checked by <see cref="ApprovalRoutes.Parse"/>.
/// </summary>
/// <param name="Name">The route's name, or null for an inline route.</param>
/// <param name="Steps">The steps, in order; at least one.</param>
/// <param name="EscalationContact">Who is told when a step passes its due time without a decision (a step may name its own).</param>
public sealed record ApprovalRoute(string? Name, IReadOnlyList<ApprovalStep> Steps, string? EscalationContact);

/// <summary>One step of a route.</summary>
/// <param name="Name">Shown in mails and pages (e.g. <c>Chánh Văn phòng</c>).</param>
/// <param name="Approvers">Email addresses (lower case) or role references (<see cref="ApproverRole"/>) to resolve through the office's directory.</param>
/// <param name="Mode"><see cref="ApprovalMode.Any"/>: the first decision decides; <see cref="ApprovalMode.All"/>: every approver must approve, one reject rejects.</param>
/// <param name="Due">How long the approvers have, counted in working time (weekends and public holidays do not count).</param>
/// <param name="DueText">The due duration as written (ISO 8601, e.g. <c>P2D</c>).</param>
/// <param name="EscalationContact">The step's own escalation contact, else the route's.</param>
public sealed record ApprovalStep(string Name, IReadOnlyList<string> Approvers, ApprovalMode Mode, TimeSpan Due, string DueText, string? EscalationContact);

/// <summary>How the decisions of a step's approvers combine.</summary>
public enum ApprovalMode
{
    /// <summary>The first decision decides the step.</summary>
    Any,
    /// <summary>Every approver must approve; one reject (or return) decides the step at once.</summary>
    All,
}

/// <summary>A role of an office standing in for the people who hold it (<c>role:approver@vp-tinh-uy</c>).</summary>
/// <param name="Role">The role (uploader, reviewer, approver, secretary, admin).</param>
/// <param name="Office">The office.</param>
public sealed record ApproverRole(string Role, string Office)
{
    /// <summary>The written form of a role reference.</summary>
    public override string ToString() => $"role:{Role}@{Office}";

    /// <summary>Reads <c>role:ROLE@OFFICE</c>; null for anything else.</summary>
    public static ApproverRole? TryParse(string text)
    {
        if (!text.StartsWith("role:", StringComparison.OrdinalIgnoreCase)) return null;
        var rest = text[5..];
        var at = rest.IndexOf('@');
        return at <= 0 || at == rest.Length - 1 ? null : new ApproverRole(rest[..at].Trim().ToLowerInvariant(), rest[(at + 1)..].Trim());
    }
}
