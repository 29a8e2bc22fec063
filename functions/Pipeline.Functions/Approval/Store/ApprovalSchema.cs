namespace Pipeline.Functions.Approval;

/// <summary>
/// The approval tables, in the document catalog's database: a decision, the step it ends, the links it retires,
/// the document's new status and the audit entries are then one transaction.
/// </summary>
internal static class ApprovalSchema
{
    public const string Sql = """
        CREATE TABLE IF NOT EXISTS approvals (
            id TEXT PRIMARY KEY,
            document_id TEXT NOT NULL,
            office TEXT NOT NULL,
            route TEXT NOT NULL,
            status TEXT NOT NULL,
            current_step INTEGER,
            document_status_before TEXT NOT NULL,
            requested_by TEXT NOT NULL,
            created TEXT NOT NULL,
            finished TEXT);
        CREATE INDEX IF NOT EXISTS approvals_by_document ON approvals(document_id, created);
        CREATE INDEX IF NOT EXISTS approvals_by_status ON approvals(status);
        CREATE TABLE IF NOT EXISTS approval_steps (
            approval_id TEXT NOT NULL REFERENCES approvals(id),
            step INTEGER NOT NULL,
            status TEXT NOT NULL,
            started TEXT,
            due_at TEXT,
            remind_at TEXT,
            expires_at TEXT,
            ended TEXT,
            PRIMARY KEY (approval_id, step));
        CREATE TABLE IF NOT EXISTS approval_links (
            token_id TEXT PRIMARY KEY,
            approval_id TEXT NOT NULL REFERENCES approvals(id),
            step INTEGER NOT NULL,
            approver TEXT NOT NULL,
            state TEXT NOT NULL,
            issued TEXT NOT NULL,
            expires_at TEXT NOT NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS approval_links_by_person ON approval_links(approval_id, step, approver);
        CREATE TABLE IF NOT EXISTS approval_decisions (
            approval_id TEXT NOT NULL REFERENCES approvals(id),
            step INTEGER NOT NULL,
            approver TEXT NOT NULL,
            decision TEXT NOT NULL,
            comment TEXT,
            at TEXT NOT NULL,
            token_id TEXT NOT NULL UNIQUE,
            PRIMARY KEY (approval_id, step, approver));
        CREATE TABLE IF NOT EXISTS approval_mails (
            key TEXT PRIMARY KEY,
            approval_id TEXT NOT NULL REFERENCES approvals(id),
            kind TEXT NOT NULL,
            recipient TEXT NOT NULL,
            message_id TEXT NOT NULL,
            sent TEXT NOT NULL);
        """;
}
