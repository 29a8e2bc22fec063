using System.Security.Cryptography;
using System.Text;
using Microsoft.Azure.Functions.Worker;
using Pipeline.Functions.Archive;
using Pipeline.Functions.Digitise;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Hosting;
using Pipeline.Functions.Storage;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// Writes the minutes of a concluded meeting (attendance, per item the conclusion, opinion tally and vote result) as a
/// PDF, files it in the archive as a document of the meeting's dossier, and marks the meeting Archived. Returns the
/// minutes' document id. The document id is derived from the meeting id, so a retry finds the minutes already filed.
/// </summary>
/// <remarks>Once archived, the participants' watermarked copies are deleted: the minutes and the archive are the record.</remarks>
public sealed class ArchiveMeeting(MeetingStore store, DocumentCatalog catalog, DossierCatalog dossiers, IBlobStore blobs, DataDirectory data)
{
    /// <summary>The registered name.</summary>
    public const string Name = "meeting-archive";

    /// <summary>The minutes' document id.</summary>
    [Function(Name)]
    public async Task<string> Run([ActivityTrigger] string meetingId, FunctionContext fc)
    {
        var ct = fc.CancellationToken;
        var meeting = await store.GetAsync(meetingId, ct) ?? throw new InvalidOperationException($"Meeting {meetingId} is missing.");
        if (meeting.MinutesDocumentId is { } done)
        {
            MeetingPacks.DeleteCopies(data, meetingId);
            return done;
        }
        if (meeting.Status != MeetingStatus.Concluded) throw new InvalidOperationException($"Meeting {meetingId} is {meeting.Status}; only a Concluded meeting is archived.");
        var documentId = MinutesDocumentId(meetingId);
        var dossier = meeting.Plan.Dossier ?? $"HOP-{meeting.Plan.StartsAt:yyyyMMdd}-{meetingId[..6]}";

        if (await catalog.GetAsync(documentId, ct) is null)
        {
            var content = new MinutesContent(meeting.Plan, meeting.Session, await store.OpinionsAsync(meetingId, ct), await store.VotesAsync(meetingId, ct),
                meeting.PackVersion, meeting.LastUpdated, meetingId);
            using var work = WorkDirectory.Create(data, "minutes");
            var path = Path.Combine(work.Path, "minutes.pdf");
            int pages;
            await using (var file = File.Create(path)) pages = MinutesPdf.Write(file, content);
            StoredBlob pdf, text;
            await using (var file = File.OpenRead(path)) pdf = await blobs.PutAsync(file, long.MaxValue, ct);
            var extracted = await ExternalTool.RunAsync("pdftotext", ["-enc", "UTF-8", path, "-"], ct);
            await using (var textStream = new MemoryStream(Encoding.UTF8.GetBytes(extracted.Output))) text = await blobs.PutAsync(textStream, long.MaxValue, ct);

            await dossiers.CreateAsync(meeting.Office, dossier, $"Hồ sơ cuộc họp: {meeting.Plan.Title}", null, null, AuditEntry.System, ct);
            var now = catalog.UtcNow;
            var record = new DocumentRecord
            {
                Id = documentId, Office = meeting.Office, Dossier = dossier, FileName = $"bien-ban-hop-{meeting.Plan.StartsAt:yyyyMMdd}.pdf", Sha256 = pdf.Sha256,
                ContentType = "application/pdf", SizeBytes = new FileInfo(path).Length, Status = DocumentStatus.Digitised, Pages = pages,
                Languages = "vie", InstanceId = meeting.InstanceId, BaseSha256 = pdf.Sha256, ArchiveSha256 = pdf.Sha256, TextSha256 = text.Sha256,
                PdfA = false, Engine = "generated", CreatedTime = now, LastUpdatedTime = now,
            };
            await catalog.InsertAsync([(record, new AuditEntry("minutes-filed", AuditEntry.System, MeetingStore.Serialize(new { meetingId, dossier, pages })))], ct);
            await catalog.UpdateAsync(documentId, d => d, new AuditEntry("indexed", AuditEntry.System),
                DocumentSearchText.IndexContent(record.FileName, [meeting.Plan.Title, "Biên bản cuộc họp"], extracted.Output), ct);
        }

        await store.ChangeAsync(meetingId, m => m.Status == MeetingStatus.Concluded, m => m with { Status = MeetingStatus.Archived, MinutesDocumentId = documentId },
            m => new AuditEntry("meeting-archived", AuditEntry.System, MeetingStore.Serialize(new { minutesDocumentId = documentId, dossier })), ct);
        MeetingPacks.DeleteCopies(data, meetingId);
        return documentId;
    }

    /// <summary>The id of a meeting's minutes document: stable, so a retried archive finds them.</summary>
    public static string MinutesDocumentId(string meetingId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("minutes/" + meetingId)))[..32];
}
