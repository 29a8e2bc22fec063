using System.Globalization;
using Microsoft.Data.Sqlite;
using Pipeline.Functions.Documents;

namespace Pipeline.Functions.Archive;

/// <summary>Dossiers in the catalog database. Membership is the documents' <c>dossier</c> column.</summary>
public sealed class DossierCatalog(CatalogDatabase database, TimeProvider clock)
{
    /// <summary>Creates the dossier unless one with that id exists; returns the stored one and whether it was created.</summary>
    public async Task<(Dossier Dossier, bool Created)> CreateAsync(string office, string id, string title, string? retention, string? access, string creator, CancellationToken ct = default)
    {
        await using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO dossiers(office, id, title, retention, access, creator, created_time) VALUES ($office, $id, $title, $retention, $access, $creator, $time)
            ON CONFLICT DO NOTHING;
            SELECT changes();
            """;
        command.Parameters.AddWithValue("$office", office);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$title", title);
        command.Parameters.AddWithValue("$retention", (object?)retention ?? DBNull.Value);
        command.Parameters.AddWithValue("$access", (object?)access ?? DBNull.Value);
        command.Parameters.AddWithValue("$creator", creator);
        command.Parameters.AddWithValue("$time", AuditLog.Iso(clock.GetUtcNow().UtcDateTime));
        var created = Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) > 0;
        return ((await GetAsync(office, id, ct))!, created);
    }

    /// <summary>The dossier, or null.</summary>
    public async Task<Dossier?> GetAsync(string office, string id, CancellationToken ct = default)
    {
        await using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT office, id, title, retention, access, creator, created_time FROM dossiers WHERE office = $office AND id = $id";
        command.Parameters.AddWithValue("$office", office);
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new Dossier(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5),
            DateTime.Parse(reader.GetString(6), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
    }

    /// <summary>The dossier's documents in archive order: issued date (upload time when unknown), then upload time.</summary>
    public async Task<IReadOnlyList<DocumentRecord>> DocumentsAsync(DocumentCatalog documents, string office, string id, CancellationToken ct = default)
    {
        var all = new List<DocumentRecord>();
        for (var page = 1; ; page++)
        {
            var (batch, total) = await documents.SearchAsync(new DocumentQuery(null, office, null, null, null, null, page, 100) { Dossier = id }, ct);
            all.AddRange(batch);
            if (all.Count >= total || batch.Count == 0) break;
        }
        return [.. all.OrderBy(d => d.IssuedDate ?? d.CreatedTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), StringComparer.Ordinal).ThenBy(d => d.CreatedTime)];
    }
}
