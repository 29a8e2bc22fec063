using Microsoft.Data.Sqlite;

namespace Pipeline.Functions.Documents;

/// <summary>
/// The SQLite database of the embedded default's document catalog (<c>&lt;data&gt;/documents.db</c>): documents,
/// their pages' OCR, the audit log, idempotency keys and the FTS5 search index. WAL with <c>synchronous=FULL</c>:
/// a document record, unlike a durable step that can be redone, must survive even a power cut once answered.
/// </summary>
public sealed class CatalogDatabase
{
    private readonly string _connectionString;

    /// <summary>Opens (creating if needed) the database at <paramref name="path"/>.</summary>
    public CatalogDatabase(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = true, DefaultTimeout = 30 }.ToString();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;" + Schema;
        command.ExecuteNonQuery();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>An open connection with the per-connection settings applied.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;";
        command.ExecuteNonQuery();
        return connection;
    }

    /// <summary>Creates what <paramref name="schemaSql"/> declares (<c>CREATE … IF NOT EXISTS</c>): a feature's own tables in this database.</summary>
    public void EnsureSchema(string schemaSql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = schemaSql;
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Starts a write transaction that takes the write lock at once (<c>BEGIN IMMEDIATE</c>), so a
    /// read-modify-write never fails half way on a lock upgrade.
    /// </summary>
    public static SqliteTransaction BeginWrite(SqliteConnection connection) => connection.BeginTransaction(deferred: false);

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS documents (
            id TEXT PRIMARY KEY,
            office TEXT NOT NULL,
            dossier TEXT,
            file_name TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            content_type TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            status TEXT NOT NULL,
            error_code TEXT,
            error_message TEXT,
            review_reason TEXT,
            pages INTEGER,
            secrecy TEXT NOT NULL,
            languages TEXT NOT NULL,
            instance_id TEXT NOT NULL,
            base_sha256 TEXT,
            archive_sha256 TEXT,
            text_sha256 TEXT,
            pdfa INTEGER,
            engine TEXT,
            engine_ms INTEGER,
            fields TEXT,
            doc_type TEXT,
            doc_date TEXT,
            registry_key TEXT,
            created_time TEXT NOT NULL,
            last_updated_time TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS documents_by_content ON documents(office, sha256);
        CREATE INDEX IF NOT EXISTS documents_by_office ON documents(office, created_time DESC);
        CREATE INDEX IF NOT EXISTS documents_by_status ON documents(status);
        CREATE INDEX IF NOT EXISTS documents_by_registry_key ON documents(office, registry_key);

        CREATE TABLE IF NOT EXISTS pages (
            document_id TEXT NOT NULL REFERENCES documents(id),
            number INTEGER NOT NULL,
            source TEXT NOT NULL,
            ocr TEXT NOT NULL,
            mean_confidence REAL,
            engine_ms INTEGER NOT NULL,
            text_layer_sha256 TEXT,
            PRIMARY KEY (document_id, number));

        CREATE TABLE IF NOT EXISTS audit (
            seq INTEGER PRIMARY KEY,
            document_id TEXT NOT NULL,
            time TEXT NOT NULL,
            action TEXT NOT NULL,
            actor TEXT NOT NULL,
            detail TEXT,
            hash TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS audit_by_document ON audit(document_id, seq);

        CREATE TABLE IF NOT EXISTS idempotency (
            office TEXT NOT NULL,
            key TEXT NOT NULL,
            response TEXT NOT NULL,
            created_time TEXT NOT NULL,
            PRIMARY KEY (office, key));

        CREATE TABLE IF NOT EXISTS dossiers (
            office TEXT NOT NULL,
            id TEXT NOT NULL,
            title TEXT NOT NULL,
            retention TEXT,
            access TEXT,
            creator TEXT NOT NULL,
            created_time TEXT NOT NULL,
            PRIMARY KEY (office, id));

        CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(document_id UNINDEXED, content, tokenize = 'unicode61');
        """;
}
