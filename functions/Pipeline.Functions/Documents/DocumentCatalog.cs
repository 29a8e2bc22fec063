using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Pipeline.Functions.Documents;

/// <summary>
/// The documents, their pages and idempotent answers, in <see cref="CatalogDatabase"/>. Every change to a
/// document is written together with its audit entry, in one transaction.
/// </summary>
public sealed class DocumentCatalog(CatalogDatabase database, AuditLog audit, TimeProvider clock)
{
    private const string Columns = "id, office, dossier, file_name, sha256, content_type, size_bytes, status, error_code, error_message, review_reason, " +
        "pages, secrecy, languages, instance_id, base_sha256, archive_sha256, text_sha256, pdfa, engine, engine_ms, fields, created_time, last_updated_time, " +
        "doc_type, doc_date, registry_key";

    /// <summary>The audit log the catalog writes to.</summary>
    public AuditLog Audit => audit;

    /// <summary>The current time, as the catalog stamps records.</summary>
    public DateTime UtcNow => clock.GetUtcNow().UtcDateTime;

    /// <summary>Stores new documents, each with its first audit entry, all or none.</summary>
    public async Task InsertAsync(IReadOnlyList<(DocumentRecord Document, AuditEntry Entry)> documents, CancellationToken ct = default)
    {
        await using var connection = database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        foreach (var (document, entry) in documents)
        {
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = $"INSERT INTO documents({Columns}) VALUES ({string.Join(", ", Columns.Split(", ").Select(c => "$" + c))})";
            Bind(insert, document);
            insert.ExecuteNonQuery();
            audit.Append(transaction, document.Id, entry);
        }
        await transaction.CommitAsync(ct);
    }

    /// <summary>The document, or null.</summary>
    public async Task<DocumentRecord?> GetAsync(string id, CancellationToken ct = default)
    {
        await using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM documents WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>
    /// The office's earlier document with the same bytes, if any. A document whose digitisation failed does not
    /// count: uploading the file again is how a clerk retries it.
    /// </summary>
    public async Task<DocumentRecord?> FindByContentAsync(string office, string sha256, CancellationToken ct = default)
    {
        await using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM documents WHERE office = $office AND sha256 = $sha AND status <> 'Failed' ORDER BY created_time LIMIT 1";
        command.Parameters.AddWithValue("$office", office);
        command.Parameters.AddWithValue("$sha", sha256);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>Other documents of <paramref name="office"/> with the same registry key (number + symbol + issuing body).</summary>
    public async Task<IReadOnlyList<string>> FindSameRegistryKeyAsync(string office, string registryKey, string exceptId, CancellationToken ct = default)
    {
        await using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM documents WHERE office = $office AND registry_key = $key AND id <> $id ORDER BY created_time";
        command.Parameters.AddWithValue("$office", office);
        command.Parameters.AddWithValue("$key", registryKey);
        command.Parameters.AddWithValue("$id", exceptId);
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>Documents still <see cref="DocumentStatus.Received"/> (their digitisation may not have been scheduled).</summary>
    public async Task<IReadOnlyList<DocumentRecord>> ListReceivedAsync(CancellationToken ct = default)
    {
        await using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM documents WHERE status = 'Received' ORDER BY created_time";
        var list = new List<DocumentRecord>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) list.Add(Read(reader));
        return list;
    }

    /// <summary>
    /// Changes a document and records why, in one transaction; <paramref name="searchContent"/>, when given,
    /// replaces its search index entry. Returns the document as stored, or null when there is none.
    /// </summary>
    public async Task<DocumentRecord?> UpdateAsync(string id, Func<DocumentRecord, DocumentRecord> change, AuditEntry entry,
        string? searchContent = null, CancellationToken ct = default)
    {
        await using var connection = database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        DocumentRecord? current;
        using (var select = connection.CreateCommand())
        {
            select.Transaction = transaction;
            select.CommandText = $"SELECT {Columns} FROM documents WHERE id = $id";
            select.Parameters.AddWithValue("$id", id);
            using var reader = select.ExecuteReader();
            current = reader.Read() ? Read(reader) : null;
        }
        if (current is null) return null;

        var updated = change(current) with { Id = current.Id, LastUpdatedTime = UtcNow };
        using (var update = connection.CreateCommand())
        {
            update.Transaction = transaction;
            update.CommandText = $"UPDATE documents SET {string.Join(", ", Columns.Split(", ").Skip(1).Select(c => $"{c} = ${c}"))} WHERE id = $id";
            Bind(update, updated);
            update.ExecuteNonQuery();
        }
        if (searchContent is not null)
        {
            using var delete = connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM search WHERE document_id = $id; INSERT INTO search(document_id, content) VALUES ($id, $content)";
            delete.Parameters.AddWithValue("$id", id);
            delete.Parameters.AddWithValue("$content", searchContent);
            delete.ExecuteNonQuery();
        }
        audit.Append(transaction, id, entry);
        await transaction.CommitAsync(ct);
        return updated;
    }

    /// <summary>Stores (or replaces, when a page is read again after a crash) one page's OCR.</summary>
    public async Task SavePageAsync(PageRecord page, CancellationToken ct = default)
    {
        await using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO pages(document_id, number, source, ocr, mean_confidence, engine_ms, text_layer_sha256)
            VALUES ($doc, $n, $source, $ocr, $conf, $ms, $layer)
            ON CONFLICT(document_id, number) DO UPDATE SET source = excluded.source, ocr = excluded.ocr,
                mean_confidence = excluded.mean_confidence, engine_ms = excluded.engine_ms, text_layer_sha256 = excluded.text_layer_sha256
            """;
        command.Parameters.AddWithValue("$doc", page.DocumentId);
        command.Parameters.AddWithValue("$n", page.Number);
        command.Parameters.AddWithValue("$source", page.Source);
        command.Parameters.AddWithValue("$ocr", page.OcrJson);
        command.Parameters.AddWithValue("$conf", (object?)page.MeanConfidence ?? DBNull.Value);
        command.Parameters.AddWithValue("$ms", page.EngineMilliseconds);
        command.Parameters.AddWithValue("$layer", (object?)page.TextLayerSha256 ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The document's pages read so far, in page order.</summary>
    public async Task<IReadOnlyList<PageRecord>> GetPagesAsync(string documentId, CancellationToken ct = default)
    {
        await using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT document_id, number, source, ocr, mean_confidence, engine_ms, text_layer_sha256 FROM pages WHERE document_id = $doc ORDER BY number";
        command.Parameters.AddWithValue("$doc", documentId);
        var pages = new List<PageRecord>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            pages.Add(new PageRecord(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetDouble(4), reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
        return pages;
    }

    /// <summary>The answer stored for an idempotency key, or null.</summary>
    public async Task<string?> GetIdempotentResponseAsync(string office, string key, CancellationToken ct = default)
    {
        await using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT response FROM idempotency WHERE office = $office AND key = $key";
        command.Parameters.AddWithValue("$office", office);
        command.Parameters.AddWithValue("$key", key);
        return await command.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>Stores the answer for an idempotency key; when a concurrent request stored one first, returns that one instead.</summary>
    public async Task<string> SaveIdempotentResponseAsync(string office, string key, string response, CancellationToken ct = default)
    {
        await using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO idempotency(office, key, response, created_time) VALUES ($office, $key, $response, $time) ON CONFLICT DO NOTHING;
            SELECT response FROM idempotency WHERE office = $office AND key = $key;
            """;
        command.Parameters.AddWithValue("$office", office);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$response", response);
        command.Parameters.AddWithValue("$time", AuditLog.Iso(UtcNow));
        return (string)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Documents matching <paramref name="query"/>, newest first, one page of them, and how many match in all.</summary>
    public async Task<(IReadOnlyList<DocumentRecord> Documents, int Total)> SearchAsync(DocumentQuery query, CancellationToken ct = default)
    {
        var where = new List<string>();
        await using var connection = database.Open();
        using var command = connection.CreateCommand();
        if (query.Office is not null) { where.Add("office = $office"); command.Parameters.AddWithValue("$office", query.Office); }
        if (query.Status is { } status) { where.Add("status = $status"); command.Parameters.AddWithValue("$status", status.ToString()); }
        if (query.Dossier is not null) { where.Add("dossier = $dossier"); command.Parameters.AddWithValue("$dossier", query.Dossier); }
        if (query.Type is not null) { where.Add("doc_type = $type COLLATE NOCASE"); command.Parameters.AddWithValue("$type", query.Type); }
        // The issued date once extracted, else the upload day: what a clerk means by "documents of March".
        if (query.From is { } from) { where.Add("coalesce(doc_date, substr(created_time, 1, 10)) >= $from"); command.Parameters.AddWithValue("$from", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); }
        if (query.To is { } to) { where.Add("coalesce(doc_date, substr(created_time, 1, 10)) <= $to"); command.Parameters.AddWithValue("$to", to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); }
        if (DocumentSearchText.ToFtsQuery(query.Text) is { } match)
        {
            where.Add("id IN (SELECT document_id FROM search WHERE search MATCH $match)");
            command.Parameters.AddWithValue("$match", match);
        }
        var filter = where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where);
        command.CommandText = $"""
            SELECT count(*) FROM documents {filter};
            SELECT {Columns} FROM documents {filter} ORDER BY created_time DESC, id DESC LIMIT $limit OFFSET $offset;
            """;
        command.Parameters.AddWithValue("$limit", query.PageSize);
        command.Parameters.AddWithValue("$offset", (long)(query.Page - 1) * query.PageSize);

        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var total = reader.GetInt32(0);
        await reader.NextResultAsync(ct);
        var documents = new List<DocumentRecord>();
        while (await reader.ReadAsync(ct)) documents.Add(Read(reader));
        return (documents, total);
    }

    private static void Bind(SqliteCommand command, DocumentRecord d)
    {
        object N(object? value) => value ?? DBNull.Value;
        var p = command.Parameters;
        p.AddWithValue("$id", d.Id);
        p.AddWithValue("$office", d.Office);
        p.AddWithValue("$dossier", N(d.Dossier));
        p.AddWithValue("$file_name", d.FileName);
        p.AddWithValue("$sha256", d.Sha256);
        p.AddWithValue("$content_type", d.ContentType);
        p.AddWithValue("$size_bytes", d.SizeBytes);
        p.AddWithValue("$status", d.Status.ToString());
        p.AddWithValue("$error_code", N(d.Error?.Code));
        p.AddWithValue("$error_message", N(d.Error?.Message));
        p.AddWithValue("$review_reason", N(d.ReviewReason));
        p.AddWithValue("$pages", N(d.Pages));
        p.AddWithValue("$secrecy", d.Secrecy.ToApiName());
        p.AddWithValue("$languages", d.Languages);
        p.AddWithValue("$instance_id", d.InstanceId);
        p.AddWithValue("$base_sha256", N(d.BaseSha256));
        p.AddWithValue("$archive_sha256", N(d.ArchiveSha256));
        p.AddWithValue("$text_sha256", N(d.TextSha256));
        p.AddWithValue("$pdfa", N(d.PdfA));
        p.AddWithValue("$engine", N(d.Engine));
        p.AddWithValue("$engine_ms", N(d.EngineMilliseconds));
        p.AddWithValue("$fields", N(d.FieldsJson));
        p.AddWithValue("$created_time", AuditLog.Iso(d.CreatedTime));
        p.AddWithValue("$last_updated_time", AuditLog.Iso(d.LastUpdatedTime));
        p.AddWithValue("$doc_type", N(d.DocType));
        p.AddWithValue("$doc_date", N(d.IssuedDate));
        p.AddWithValue("$registry_key", N(d.RegistryKey));
    }

    private static DocumentRecord Read(SqliteDataReader r)
    {
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        SecrecyLevels.TryParse(r.GetString(12), out var secrecy);
        return new DocumentRecord
        {
            Id = r.GetString(0),
            Office = r.GetString(1),
            Dossier = S(2),
            FileName = r.GetString(3),
            Sha256 = r.GetString(4),
            ContentType = r.GetString(5),
            SizeBytes = r.GetInt64(6),
            Status = Enum.Parse<DocumentStatus>(r.GetString(7)),
            Error = S(8) is { } code ? new DocumentError(code, S(9) ?? "") : null,
            ReviewReason = S(10),
            Pages = r.IsDBNull(11) ? null : r.GetInt32(11),
            Secrecy = secrecy,
            Languages = r.GetString(13),
            InstanceId = r.GetString(14),
            BaseSha256 = S(15),
            ArchiveSha256 = S(16),
            TextSha256 = S(17),
            PdfA = r.IsDBNull(18) ? null : r.GetBoolean(18),
            Engine = S(19),
            EngineMilliseconds = r.IsDBNull(20) ? null : r.GetInt64(20),
            FieldsJson = S(21),
            CreatedTime = ParseTime(r.GetString(22)),
            LastUpdatedTime = ParseTime(r.GetString(23)),
            DocType = S(24),
            IssuedDate = S(25),
            RegistryKey = S(26),
        };
    }

    private static DateTime ParseTime(string s) => DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
