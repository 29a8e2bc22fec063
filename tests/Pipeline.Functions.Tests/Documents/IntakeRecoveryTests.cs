using System.Text.Json;
using Microsoft.Data.Sqlite;
using Pipeline.Functions.Digitise;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Storage;

namespace Pipeline.Functions.Tests.Documents;

/// <summary>
/// IntakeRecovery (a timer function, run at startup): documents recorded without a digitise orchestration — the process
/// died between recording an upload and scheduling it, or the instance is gone — are digitised after a restart; and the
/// scratch files of a dead worker are removed.
/// </summary>
[RunsLong(160)]
public sealed class IntakeRecoveryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [CorpusFact]
    public async Task Documents_recorded_but_never_scheduled_are_digitised_after_a_restart_and_dead_scratch_files_removed()
    {
        var workingDirectory = PipelineApp.CreateWorkingDirectory();
        try
        {
            // A first run makes the data directory and the catalog.
            await using (var first = await PipelineApp.StartAsync(workingDirectory)) { }

            // As a crash between recording and scheduling leaves it: two documents in the catalog, no orchestration.
            var data = Path.Combine(workingDirectory, "data");
            var received = await RecordAsync(data, DocumentsHttp.Corpus("ocrmypdf-resources", "typewriter.png"), "image/png", DocumentStatus.Received);
            var digitising = await RecordAsync(data, DocumentsHttp.Corpus("vn-official", "doc000", "scan.pdf"), "application/pdf", DocumentStatus.Digitising);
            // And a dead worker's scratch directory (its lock is free).
            var dead = Path.Combine(data, "work", "p999999-0123456789abcdef0123456789abcdef");
            Directory.CreateDirectory(Path.Combine(dead, "page-0123"));
            File.WriteAllText(Path.Combine(dead, ".lock"), "");

            await using var second = await PipelineApp.StartAsync(workingDirectory);
            using var client = second.CreateClient();
            foreach (var id in new[] { received, digitising })
            {
                var document = await client.WaitForDocumentAsync(id, Timeout);
                Assert.Contains(document.GetProperty("status").GetString(), new[] { "Digitised", "NeedsReview" });
                var orchestration = await client.WaitForFinishAsync($"/runtime/webhooks/durabletask/instances/{DigitiseDocument.InstanceIdFor(id)}", Timeout);
                Assert.Equal("Completed", orchestration.GetProperty("runtimeStatus").GetString());

                using var audit = await client.GetAsync($"/api/documents/{id}/audit");
                var actions = JsonDocument.Parse(await audit.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
                Assert.Equal(1, actions.Count(a => a is "digitised" or "needs-review"));
            }
            Assert.False(Directory.Exists(dead), "the dead worker's scratch directory is still there");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            PipelineApp.DeleteDirectory(workingDirectory);
        }
    }

    private static async Task<string> RecordAsync(string data, string file, string contentType, DocumentStatus status)
    {
        var database = new CatalogDatabase(Path.Combine(data, "documents.db"));
        var catalog = new DocumentCatalog(database, new AuditLog(database, TimeProvider.System), TimeProvider.System);
        var blob = await new LocalFileBlobStore(Path.Combine(data, "blobs")).PutFileAsync(file);
        var id = Guid.CreateVersion7().ToString("N");
        // Older than the grace an upload gets to schedule its own documents.
        var created = DateTime.UtcNow.AddMinutes(-5);
        await catalog.InsertAsync([(new DocumentRecord
        {
            Id = id, Office = "default", FileName = Path.GetFileName(file), Sha256 = blob.Sha256, ContentType = contentType,
            SizeBytes = blob.SizeBytes, Status = status, Languages = "vie+eng", InstanceId = DigitiseDocument.InstanceIdFor(id),
            CreatedTime = created, LastUpdatedTime = created,
        }, new AuditEntry("uploaded", "test@127.0.0.1"))]);
        return id;
    }
}
