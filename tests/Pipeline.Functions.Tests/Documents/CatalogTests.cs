using Microsoft.Data.Sqlite;
using Pipeline.Functions.Documents;

namespace Pipeline.Functions.Tests.Documents;

/// <summary>The catalog on a real SQLite file: the audit chain and the search folding.</summary>
public sealed class CatalogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-catalog-").FullName;
    private readonly CatalogDatabase _database;
    private readonly DocumentCatalog _catalog;

    public CatalogTests()
    {
        _database = new CatalogDatabase(Path.Combine(_dir, "documents.db"));
        _catalog = new DocumentCatalog(_database, new AuditLog(_database, TimeProvider.System), TimeProvider.System);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        PipelineApp.DeleteDirectory(_dir);
    }

    [Fact]
    public async Task Editing_an_audit_entry_in_the_database_breaks_the_chain_from_there()
    {
        await _catalog.InsertAsync([(Document("a"), new AuditEntry("uploaded", "clerk@10.0.0.1")), (Document("b"), new AuditEntry("uploaded", "clerk@10.0.0.1"))]);
        await _catalog.UpdateAsync("a", d => d with { Status = DocumentStatus.Digitised }, new AuditEntry("digitised", AuditEntry.System));
        Assert.Null(await _catalog.Audit.VerifyAsync());

        using (var connection = _database.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "UPDATE audit SET actor = 'someone-else' WHERE seq = 2";
            command.ExecuteNonQuery();
        }
        Assert.Equal(2, await _catalog.Audit.VerifyAsync());
    }

    [Fact]
    public async Task Deleting_an_audit_entry_is_detected()
    {
        await _catalog.InsertAsync([(Document("a"), new AuditEntry("uploaded", "clerk"))]);
        await _catalog.UpdateAsync("a", d => d with { Status = DocumentStatus.Digitising }, new AuditEntry("digitising", AuditEntry.System));
        await _catalog.UpdateAsync("a", d => d with { Status = DocumentStatus.Digitised }, new AuditEntry("digitised", AuditEntry.System));
        using (var connection = _database.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "DELETE FROM audit WHERE seq = 2";
            command.ExecuteNonQuery();
        }
        Assert.Equal(3, await _catalog.Audit.VerifyAsync());
    }

    [Fact]
    public async Task Search_finds_Vietnamese_words_typed_without_diacritics_and_ignores_query_syntax()
    {
        await _catalog.InsertAsync([(Document("nq"), new AuditEntry("uploaded", "clerk")), (Document("cv"), new AuditEntry("uploaded", "clerk"))]);
        await _catalog.UpdateAsync("nq", d => d, new AuditEntry("digitised", AuditEntry.System),
            DocumentSearchText.IndexContent("nq.pdf", [], "NGHỊ QUYẾT\nVề đột phá phát triển khoa học, công nghệ — Nghị quyết 57-NQ/TW của Bộ Chính trị, Đảng Cộng sản"));
        await _catalog.UpdateAsync("cv", d => d, new AuditEntry("digitised", AuditEntry.System),
            DocumentSearchText.IndexContent("cv.pdf", [], "CÔNG VĂN V/v tổ chức hội nghị"));

        async Task<string[]> Find(string q) => [.. (await _catalog.SearchAsync(new DocumentQuery(q, null, null, null, null, null, 1, 20))).Documents.Select(d => d.Id)];
        Assert.Equal(["nq"], await Find("nghi quyet 57"));
        Assert.Equal(["nq"], await Find("Nghị Quyết đảng"));
        Assert.Equal(["nq"], await Find("dang cong san"));
        Assert.Equal(["nq"], await Find("khoa ho")); // the last word as a prefix, as a clerk types
        Assert.Equal(["cv"], await Find("hoi nghi"));
        Assert.Empty(await Find("nghi quyet hoi nghi"));
        Assert.Empty(await Find("\" OR 1=1 --"));
        Assert.Equal(2, (await _catalog.SearchAsync(new DocumentQuery("   ", null, null, null, null, null, 1, 20))).Total);
    }

    private static DocumentRecord Document(string id) => new()
    {
        Id = id, Office = "vp-tinh-uy", FileName = $"{id}.pdf", Sha256 = new string('0', 63) + id.Length, ContentType = "application/pdf",
        SizeBytes = 10, Languages = "vie+eng", InstanceId = $"digitise-{id}", CreatedTime = DateTime.UtcNow, LastUpdatedTime = DateTime.UtcNow,
    };
}
