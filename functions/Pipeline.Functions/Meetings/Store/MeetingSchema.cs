namespace Pipeline.Functions.Meetings;

/// <summary>The meeting tables, in the document catalog's database (one transaction with audit entries and documents).</summary>
internal static class MeetingSchema
{
    public const string Sql = """
        CREATE TABLE IF NOT EXISTS meetings (
            id TEXT PRIMARY KEY,
            office TEXT NOT NULL,
            status TEXT NOT NULL,
            plan TEXT NOT NULL,
            session TEXT NOT NULL,
            pack_version INTEGER NOT NULL,
            minutes_document_id TEXT,
            created_by TEXT NOT NULL,
            created TEXT NOT NULL,
            last_updated TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS meeting_packs (
            meeting_id TEXT NOT NULL REFERENCES meetings(id),
            version INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            pages INTEGER NOT NULL,
            plan TEXT NOT NULL,
            built TEXT NOT NULL,
            PRIMARY KEY (meeting_id, version));
        CREATE TABLE IF NOT EXISTS meeting_links (
            token_id TEXT PRIMARY KEY,
            meeting_id TEXT NOT NULL REFERENCES meetings(id),
            participant TEXT NOT NULL,
            issued TEXT NOT NULL,
            expires_at TEXT NOT NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS meeting_links_by_person ON meeting_links(meeting_id, participant);
        CREATE TABLE IF NOT EXISTS meeting_opinion_requests (
            meeting_id TEXT NOT NULL REFERENCES meetings(id),
            item INTEGER NOT NULL,
            question TEXT NOT NULL,
            deadline TEXT NOT NULL,
            created TEXT NOT NULL,
            closed INTEGER NOT NULL,
            PRIMARY KEY (meeting_id, item));
        CREATE TABLE IF NOT EXISTS meeting_opinions (
            meeting_id TEXT NOT NULL,
            item INTEGER NOT NULL,
            participant TEXT NOT NULL,
            answer TEXT NOT NULL,
            comment TEXT,
            at TEXT NOT NULL,
            PRIMARY KEY (meeting_id, item, participant));
        CREATE TABLE IF NOT EXISTS meeting_vote_items (
            meeting_id TEXT NOT NULL REFERENCES meetings(id),
            item INTEGER NOT NULL,
            secret INTEGER NOT NULL,
            open INTEGER NOT NULL,
            PRIMARY KEY (meeting_id, item));
        CREATE TABLE IF NOT EXISTS meeting_votes (
            meeting_id TEXT NOT NULL,
            item INTEGER NOT NULL,
            participant TEXT NOT NULL,
            choice TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (meeting_id, item, participant));
        CREATE TABLE IF NOT EXISTS meeting_mails (
            key TEXT PRIMARY KEY,
            meeting_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            recipient TEXT NOT NULL,
            message_id TEXT NOT NULL,
            sent TEXT NOT NULL);
        """;
}
