using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Pipeline.Functions.Digitise;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Extraction;
using Pipeline.Functions.Hosting;
using Pipeline.Functions.Storage;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// Meeting packs: the master copy of each version, built from the documents' stored archive PDFs and kept in the blob
/// store, and each participant's copy — only the items they may see, watermarked with their name and the version —
/// built the first time they open it and kept under <c>&lt;data&gt;/meetings/&lt;id&gt;/copies</c>.
/// </summary>
public sealed class MeetingPacks(MeetingStore store, DocumentCatalog catalog, IBlobStore blobs, DataDirectory data)
{
    // Participant copies are built by qpdf on first open; a few at once keeps the machine responsive.
    private static readonly SemaphoreSlim CopyBuilds = new(Math.Max(1, Environment.ProcessorCount));

    // One build per copy: a second open of a copy still being built waits for that build instead of starting its own.
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _copiesBuilding = new();

    /// <summary>Builds and stores the master copy of <paramref name="version"/> from the meeting's current plan (once: a version stored already is kept).</summary>
    public async Task<PackVersionRecord> BuildMasterAsync(MeetingRecord meeting, int version, CancellationToken ct)
    {
        if ((await store.PacksAsync(meeting.Id, ct)).FirstOrDefault(p => p.Version == version) is { } built) return built;
        using var work = WorkDirectory.Create(data, "pack");
        var output = Path.Combine(work.Path, "pack.pdf");
        var (plan, files) = await PackPlanAsync(meeting.Plan, version, _ => true, ct);
        try
        {
            var layout = await MeetingPackBuilder.BuildAsync(plan, output, watermark: null, work.Path, ct);
            StoredBlob stored;
            await using (var file = File.OpenRead(output)) stored = await blobs.PutAsync(file, long.MaxValue, ct);
            await store.AddPackAsync(meeting.Id, version, stored.Sha256, layout.TotalPages, meeting.Plan, ct);
        }
        finally
        {
            foreach (var file in files) file.Dispose();
        }
        return (await store.PacksAsync(meeting.Id, ct)).First(p => p.Version == version);
    }

    /// <summary>Deletes the participants' copies of a meeting (once it is archived they are served no more).</summary>
    public static void DeleteCopies(DataDirectory data, string meetingId)
    {
        var directory = Path.Combine(data.Path, "meetings", meetingId, "copies");
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    /// <summary>
    /// The participant's copy of <paramref name="version"/>: the items of that version's plan they may see, a light
    /// watermark with their name and the version on every page. Built on first use, then served from disk.
    /// </summary>
    public async Task<string> ParticipantCopyAsync(MeetingRecord meeting, int version, MeetingParticipant participant, CancellationToken ct)
    {
        var directory = Path.Combine(data.Path, "meetings", meeting.Id, "copies");
        var path = Path.Combine(directory, $"v{version}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(participant.Email)))[..16]}.pdf");
        if (File.Exists(path)) return path;
        // Not tied to this request's cancellation: another participant's open may be waiting on the same build.
        var build = _copiesBuilding.GetOrAdd(path, _ => new Lazy<Task<string>>(() => BuildCopyAsync(meeting, version, participant, path)));
        return await build.Value.WaitAsync(ct);
    }

    private async Task<string> BuildCopyAsync(MeetingRecord meeting, int version, MeetingParticipant participant, string path)
    {
        await CopyBuilds.WaitAsync();
        try
        {
            if (File.Exists(path)) return path;
            var versionPlan = await store.PackPlanAsync(meeting.Id, version, CancellationToken.None)
                ?? throw new InvalidOperationException($"Meeting {meeting.Id} has no pack version {version}.");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var work = WorkDirectory.Create(data, "pack-copy");
            var (plan, files) = await PackPlanAsync(versionPlan, version, item => item.VisibleTo(participant.Email), CancellationToken.None);
            try
            {
                var output = Path.Combine(work.Path, "copy.pdf");
                await MeetingPackBuilder.BuildAsync(plan, output, $"{participant.Display} — bản {version}", work.Path, CancellationToken.None);
                File.Move(output, path, overwrite: true);
            }
            finally
            {
                foreach (var file in files) file.Dispose();
            }
            return path;
        }
        finally
        {
            CopyBuilds.Release();
            // Done (the file is in place) or failed (the next open tries again): either way no longer in flight.
            _copiesBuilding.TryRemove(path, out _);
        }
    }

    // The builder's plan: each visible item with its documents' archive PDFs as local files (disposed by the caller).
    private async Task<(PackPlan Plan, List<LocalBlobFile> Files)> PackPlanAsync(MeetingPlan meeting, int version, Func<AgendaItem, bool> visible, CancellationToken ct)
    {
        var files = new List<LocalBlobFile>();
        var items = new List<PackItem>();
        try
        {
            foreach (var item in meeting.Agenda.Where(visible))
            {
                var documents = new List<PackDocument>();
                foreach (var id in item.DocumentIds)
                {
                    var document = await catalog.GetAsync(id, ct) ?? throw new InvalidOperationException($"Document {id} on the agenda is missing.");
                    var sha = document.ArchiveSha256 ?? throw new InvalidOperationException($"Document {id} on the agenda has no archive PDF.");
                    var file = await blobs.GetLocalFileAsync(sha, ct) ?? throw new InvalidOperationException($"The archive PDF of document {id} is missing.");
                    files.Add(file);
                    documents.Add(new PackDocument(Label(document), file.Path, document.Pages ?? 0));
                }
                items.Add(new PackItem(item.Number, item.Title, item.Presenter, documents, item.ForInformation is { } reason ? $"Để biết: {reason}" : null));
            }
            return (new PackPlan(meeting.Title, new DateTimeOffset(meeting.StartsAt, TimeSpan.Zero), meeting.Place, meeting.Chair, version, items), files);
        }
        catch
        {
            foreach (var file in files) file.Dispose();
            throw;
        }
    }

    // "Tờ trình 12/TTr-VP — về việc …", from the fields as read or corrected; the file name when nothing was read.
    private static string Label(DocumentRecord document)
    {
        var fields = DocumentFields.Parse(document.FieldsJson);
        var head = string.Join(' ', new[] { fields?.Value("type"), fields?.Value("code") }.Where(v => !string.IsNullOrWhiteSpace(v)));
        var summary = fields?.Value("summary");
        return head.Length == 0 ? document.FileName : summary is null ? head : $"{head} — {summary}";
    }
}
