using Microsoft.Data.Sqlite;
using Pipeline.Functions.Documents;
using static Pipeline.Functions.Documents.CatalogSql;
using Pipeline.Functions.Links;

namespace Pipeline.Functions.Approval;

/// <summary>What became of a decision posted through a link.</summary>
public enum DecisionResult
{
    /// <summary>Recorded.</summary>
    Recorded,
    /// <summary>The link was used already; nothing changed.</summary>
    AlreadyUsed,
    /// <summary>The link's step or approval ended before it was used; nothing changed.</summary>
    Superseded,
    /// <summary>No such link was issued (e.g. the data was restored from an older backup); nothing changed.</summary>
    Unknown,
}

/// <summary>The outcome of <see cref="ApprovalStore.DecideAsync"/>.</summary>
/// <param name="Result">What happened.</param>
/// <param name="Approval">The approval as it is now (null for <see cref="DecisionResult.Unknown"/>).</param>
/// <param name="StepOutcome">When this decision ended its step: how it ended; null while the step waits for others.</param>
public sealed record DecisionOutcome(DecisionResult Result, ApprovalRecord? Approval, StepStatus? StepOutcome = null);

public sealed partial class ApprovalStore
{
    /// <summary>
    /// Opens step <paramref name="step"/> once: stores its times, makes it the current step and issues one link per
    /// approver. Called again for the same step (a retried activity) it changes nothing and returns what the first call
    /// stored, so the mails of a retry carry the same links and times. Null when there is no such approval.
    /// </summary>
    public async Task<ApprovalRecord?> OpenStepAsync(string approvalId, int step, DateTime started, DateTime dueAt, DateTime remindAt, DateTime expiresAt,
        CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        var approval = Read(connection, approvalId, transaction);
        if (approval is null) return null;
        if (approval.Status == ApprovalStatus.Pending && approval.Steps[step].Status == StepStatus.Waiting)
        {
            Execute(transaction, "UPDATE approval_steps SET status = 'Pending', started = $started, due_at = $due, remind_at = $remind, expires_at = $expires WHERE approval_id = $id AND step = $step",
                ("$started", Iso(started)), ("$due", Iso(dueAt)), ("$remind", Iso(remindAt)), ("$expires", Iso(expiresAt)), ("$id", approvalId), ("$step", step));
            Execute(transaction, "UPDATE approvals SET current_step = $step WHERE id = $id", ("$step", step), ("$id", approvalId));
            foreach (var approver in approval.Route.Steps[step].Approvers)
            {
                Execute(transaction, "INSERT OR IGNORE INTO approval_links(token_id, approval_id, step, approver, state, issued, expires_at) VALUES ($token, $id, $step, $approver, 'Issued', $issued, $expires)",
                    ("$token", SignedLinks.NewTokenId()), ("$id", approvalId), ("$step", step), ("$approver", approver), ("$issued", Iso(started)), ("$expires", Iso(expiresAt)));
            }
            _audit.Append(transaction, approval.DocumentId, new AuditEntry("approval-step-opened", AuditEntry.System, Detail(new
            {
                approvalId, step, stepName = approval.Route.Steps[step].Name, dueAt, approvers = approval.Route.Steps[step].Approvers,
            })));
            approval = Read(connection, approvalId, transaction);
        }
        await transaction.CommitAsync(ct);
        return approval;
    }

    /// <summary>
    /// Records <paramref name="decision"/> made with the link <paramref name="link"/>, once: the link must be issued,
    /// unused, and of the approval's open current step. In the same transaction it decides whether the step is over
    /// (<see cref="ApprovalMode.Any"/>: this decision decides; <see cref="ApprovalMode.All"/>: a reject or return
    /// decides at once, an approve when every approver has approved) and, if so, ends the step and retires every
    /// other link of it. Audits the decision with the client address and user agent.
    /// </summary>
    public async Task<DecisionOutcome> DecideAsync(LinkClaims link, ApprovalDecision decision, string? comment, string clientAddress, string? userAgent,
        CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        var stored = Links(connection, transaction, "token_id = $token", ("$token", link.TokenId)).FirstOrDefault();
        if (stored is null || stored.ApprovalId != link.Subject || stored.Step != link.Step || stored.Approver != link.Recipient)
            return new(DecisionResult.Unknown, null);
        var approval = Read(connection, link.Subject, transaction)!;
        if (stored.State == LinkState.Used) return new(DecisionResult.AlreadyUsed, approval);
        var step = approval.Steps[link.Step];
        if (stored.State == LinkState.Superseded || approval.Status != ApprovalStatus.Pending || approval.CurrentStep != link.Step || step.Status.IsFinished())
            return new(DecisionResult.Superseded, approval);

        var now = Now;
        Execute(transaction, "INSERT INTO approval_decisions(approval_id, step, approver, decision, comment, at, token_id) VALUES ($id, $step, $approver, $decision, $comment, $at, $token)",
            ("$id", link.Subject), ("$step", link.Step), ("$approver", link.Recipient), ("$decision", decision.ToString()), ("$comment", comment),
            ("$at", Iso(now)), ("$token", link.TokenId));
        Execute(transaction, "UPDATE approval_links SET state = 'Used' WHERE token_id = $token", ("$token", link.TokenId));
        var routeStep = approval.Route.Steps[link.Step];
        _audit.Append(transaction, approval.DocumentId, new AuditEntry("approval-decision", link.Recipient, Detail(new
        {
            approvalId = approval.Id, step = link.Step, stepName = routeStep.Name, decision = decision.ToApiName(), comment,
            clientAddress, userAgent,
        })));

        StepStatus? outcome = null;
        if (routeStep.Mode == ApprovalMode.Any || decision != ApprovalDecision.Approve) outcome = decision.Outcome();
        else if (step.Decisions.Count + 1 == routeStep.Approvers.Count) outcome = StepStatus.Approved;
        if (outcome is { } ended) EndStep(transaction, approval, link.Step, ended, now, link.Recipient);

        await transaction.CommitAsync(ct);
        return new(DecisionResult.Recorded, Read(connection, link.Subject), outcome);
    }

    /// <summary>The links of a step whose approvers have not decided yet, while the step is open (empty once it has ended).</summary>
    public async Task<IReadOnlyList<ApprovalLinkRecord>> UndecidedLinksAsync(string approvalId, int step, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        return Links(connection, null, "approval_id = $id AND step = $step AND state = 'Issued'", ("$id", approvalId), ("$step", step));
    }

    /// <summary>Marks an open step overdue (its due time passed with no outcome) and audits it; returns the approval as it is.</summary>
    public async Task<ApprovalRecord?> MarkOverdueAsync(string approvalId, int step, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        var approval = Read(connection, approvalId, transaction);
        if (approval is { Status: ApprovalStatus.Pending } && approval.Steps[step].Status == StepStatus.Pending)
        {
            Execute(transaction, "UPDATE approval_steps SET status = 'Overdue' WHERE approval_id = $id AND step = $step", ("$id", approvalId), ("$step", step));
            _audit.Append(transaction, approval.DocumentId, new AuditEntry("approval-step-overdue", AuditEntry.System,
                Detail(new { approvalId, step, stepName = approval.Route.Steps[step].Name, dueAt = approval.Steps[step].DueAt })));
            approval = Read(connection, approvalId, transaction);
        }
        await transaction.CommitAsync(ct);
        return approval;
    }

    /// <summary>
    /// Ends an open step whose links ran out as <see cref="StepStatus.Expired"/>. Returns how the step ended: expired
    /// now, or what a decision that got in first made of it.
    /// </summary>
    public async Task<StepStatus> ExpireStepAsync(string approvalId, int step, CancellationToken ct = default)
    {
        await using var connection = _database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        var approval = Read(connection, approvalId, transaction)!;
        var status = approval.Steps[step].Status;
        if (approval.Status == ApprovalStatus.Pending && !status.IsFinished())
        {
            EndStep(transaction, approval, step, StepStatus.Expired, Now, AuditEntry.System);
            status = StepStatus.Expired;
        }
        await transaction.CommitAsync(ct);
        return status;
    }

    /// <summary>
    /// Ends a pending approval as <paramref name="outcome"/>: retires every link still issued and sets the document's
    /// status (<c>Approved</c>, <c>Rejected</c>, <c>Returned</c>; back to what it was for <c>Expired</c>). An approval
    /// that has ended already is returned unchanged, and so is one whose steps do not give that end (<c>Approved</c>
    /// needs every step approved; <c>Rejected</c>, <c>Returned</c>, <c>Expired</c> a step that ended so), with an
    /// <c>approval-finish-refused</c> audit entry.
    /// </summary>
    public async Task<ApprovalRecord?> FinishAsync(string approvalId, ApprovalStatus outcome, CancellationToken ct = default)
        => await EndApprovalAsync(approvalId, outcome, AuditEntry.System, reason: null, ct);

    /// <summary>Cancels a pending approval (the open step ends <c>Cancelled</c>, links retired, document status restored). Changed is false when it had ended already.</summary>
    public async Task<(ApprovalRecord? Approval, bool Changed)> CancelAsync(string approvalId, string actor, string? reason, CancellationToken ct = default)
    {
        var before = await GetAsync(approvalId, ct);
        if (before is null || before.Status != ApprovalStatus.Pending) return (before, false);
        var after = await EndApprovalAsync(approvalId, ApprovalStatus.Cancelled, actor, reason, ct);
        return (after, after is not null && before.Status != after.Status);
    }

    private async Task<ApprovalRecord?> EndApprovalAsync(string approvalId, ApprovalStatus outcome, string actor, string? reason, CancellationToken ct)
    {
        await using var connection = _database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        var approval = Read(connection, approvalId, transaction);
        if (approval is not { Status: ApprovalStatus.Pending }) return approval;
        if (outcome != ApprovalStatus.Cancelled && !StepsGive(approval, outcome))
        {
            // Never an end its steps do not give, whoever asks: an approval nobody approved is not approved.
            _audit.Append(transaction, approval.DocumentId, new AuditEntry("approval-finish-refused", actor, Detail(new
            {
                approvalId, outcome = outcome.ToString(), steps = approval.Steps.Select(s => s.Status.ToString()),
            })));
            await transaction.CommitAsync(ct);
            return approval;
        }

        var now = Now;
        if (outcome == ApprovalStatus.Cancelled && approval.CurrentStep is { } open && !approval.Steps[open].Status.IsFinished())
            EndStep(transaction, approval, open, StepStatus.Cancelled, now, actor);
        Execute(transaction, "UPDATE approval_links SET state = 'Superseded' WHERE approval_id = $id AND state = 'Issued'", ("$id", approvalId));
        Execute(transaction, "UPDATE approvals SET status = $status, current_step = NULL, finished = $now WHERE id = $id",
            ("$status", outcome.ToString()), ("$now", Iso(now)), ("$id", approvalId));
        var documentStatus = outcome switch
        {
            ApprovalStatus.Approved => nameof(DocumentStatus.Approved),
            ApprovalStatus.Rejected => nameof(DocumentStatus.Rejected),
            ApprovalStatus.Returned => nameof(DocumentStatus.Returned),
            _ => approval.DocumentStatusBefore,
        };
        SetDocumentStatus(transaction, approval.DocumentId, documentStatus, now);
        _audit.Append(transaction, approval.DocumentId, new AuditEntry(outcome == ApprovalStatus.Cancelled ? "approval-cancelled" : "approval-finished", actor,
            Detail(new { approvalId, outcome = outcome.ToString(), documentStatus, reason })));
        await transaction.CommitAsync(ct);
        return Read(connection, approvalId);
    }

    // Ends a step and retires the links of its approvers who did not decide, so their mails stop working.
    private void EndStep(SqliteTransaction transaction, ApprovalRecord approval, int step, StepStatus outcome, DateTime now, string actor)
    {
        Execute(transaction, "UPDATE approval_steps SET status = $status, ended = $now WHERE approval_id = $id AND step = $step",
            ("$status", outcome.ToString()), ("$now", Iso(now)), ("$id", approval.Id), ("$step", step));
        var retired = Execute(transaction, "UPDATE approval_links SET state = 'Superseded' WHERE approval_id = $id AND step = $step AND state = 'Issued'",
            ("$id", approval.Id), ("$step", step));
        _audit.Append(transaction, approval.DocumentId, new AuditEntry("approval-step-ended", actor,
            Detail(new { approvalId = approval.Id, step, stepName = approval.Route.Steps[step].Name, outcome = outcome.ToString(), linksRetired = retired })));
    }
}
