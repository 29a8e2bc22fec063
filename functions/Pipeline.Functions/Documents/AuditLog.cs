using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Pipeline.Functions.Documents;

/// <summary>
/// The append-only, hash-chained audit log. Each entry's hash covers the previous entry's hash, so an entry
/// changed or deleted in the database breaks the chain from there on, which <see cref="VerifyAsync"/> reports.
/// Entries are appended inside the transaction of the change they record: no change without its entry.
/// </summary>
public sealed class AuditLog(CatalogDatabase database, TimeProvider clock)
{
    /// <summary>Appends <paramref name="entry"/> for <paramref name="documentId"/> within <paramref name="transaction"/> (a write transaction).</summary>
    public void Append(SqliteTransaction transaction, string documentId, AuditEntry entry)
    {
        var connection = transaction.Connection!;
        using var last = connection.CreateCommand();
        last.Transaction = transaction;
        last.CommandText = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";
        long sequence = 1;
        var previousHash = "";
        using (var reader = last.ExecuteReader())
        {
            if (reader.Read())
            {
                sequence = reader.GetInt64(0) + 1;
                previousHash = reader.GetString(1);
            }
        }

        var time = clock.GetUtcNow().UtcDateTime;
        var hash = HashOf(previousHash, sequence, documentId, time, entry.Action, entry.Actor, entry.Detail);
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO audit(seq, document_id, time, action, actor, detail, hash) VALUES ($seq, $doc, $time, $action, $actor, $detail, $hash)";
        insert.Parameters.AddWithValue("$seq", sequence);
        insert.Parameters.AddWithValue("$doc", documentId);
        insert.Parameters.AddWithValue("$time", Iso(time));
        insert.Parameters.AddWithValue("$action", entry.Action);
        insert.Parameters.AddWithValue("$actor", entry.Actor);
        insert.Parameters.AddWithValue("$detail", (object?)entry.Detail ?? DBNull.Value);
        insert.Parameters.AddWithValue("$hash", hash);
        insert.ExecuteNonQuery();
    }

    /// <summary>Appends one entry in its own transaction (for events that change nothing else, like an access).</summary>
    public async Task AppendAsync(string documentId, AuditEntry entry, CancellationToken ct = default)
    {
        await using var connection = database.Open();
        using var transaction = CatalogDatabase.BeginWrite(connection);
        Append(transaction, documentId, entry);
        await transaction.CommitAsync(ct);
    }

    /// <summary>The document's trail, oldest first.</summary>
    public async Task<IReadOnlyList<StoredAuditEntry>> ForDocumentAsync(string documentId, CancellationToken ct = default)
    {
        await using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, document_id, time, action, actor, detail, hash FROM audit WHERE document_id = $doc ORDER BY seq";
        command.Parameters.AddWithValue("$doc", documentId);
        var entries = new List<StoredAuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) entries.Add(Read(reader));
        return entries;
    }

    /// <summary>Checks the whole chain; returns the sequence number of the first entry that does not match, or null when intact.</summary>
    public async Task<long?> VerifyAsync(CancellationToken ct = default)
    {
        await using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, document_id, time, action, actor, detail, hash FROM audit ORDER BY seq";
        await using var reader = await command.ExecuteReaderAsync(ct);
        var previousHash = "";
        long expected = 1;
        while (await reader.ReadAsync(ct))
        {
            var e = Read(reader);
            if (e.Sequence != expected || e.Hash != HashOf(previousHash, e.Sequence, e.DocumentId, e.Time, e.Action, e.Actor, e.Detail)) return e.Sequence;
            previousHash = e.Hash;
            expected++;
        }
        return null;
    }

    private static StoredAuditEntry Read(SqliteDataReader r) => new(
        r.GetInt64(0), r.GetString(1), DateTime.Parse(r.GetString(2), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
        r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.GetString(6));

    private static string HashOf(string previousHash, long sequence, string documentId, DateTime time, string action, string actor, string? detail)
    {
        // Fields separated by a control character no field contains, so no two entries serialise alike.
        var canonical = string.Join('\u001f', previousHash, sequence.ToString(CultureInfo.InvariantCulture), documentId, Iso(time), action, actor, detail ?? "\u0000");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    internal static string Iso(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
