using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Pipeline.Functions.Digitise;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Hosting;

namespace Pipeline.Functions.Intake;

/// <summary>
/// At startup and then every minute: clears scratch files of processes that died, and (re)schedules digitisation of
/// documents whose orchestration does not exist — recorded as Received but never scheduled (the process died between
/// recording an upload and scheduling it), or Digitising with its instance gone. A document whose instance exists is
/// left to it, whatever its state: the instance, not this timer, decides how it ends.
/// </summary>
public sealed class IntakeRecovery(DocumentCatalog catalog, DataDirectory data, ILogger<IntakeRecovery> log)
{
    /// <summary>The function name.</summary>
    public const string Name = "IntakeRecovery";

    /// <summary>A document this young may still be being scheduled by its upload: left to it.</summary>
    public static readonly TimeSpan UploadGrace = TimeSpan.FromSeconds(30);

    private const int PageSize = 200;

    /// <summary>The timer function.</summary>
    [Function(Name)]
    public async Task Run([TimerTrigger("0 */1 * * * *", RunOnStartup = true)] TimerInfo timer, [DurableClient] DurableTaskClient client, FunctionContext context)
    {
        var ct = context.CancellationToken;
        var removed = WorkDirectory.CleanUp(data);
        if (removed > 0) log.LogInformation("Removed the scratch files of {Count} ended processes.", removed);

        var scheduled = 0;
        foreach (var document in await CandidatesAsync(ct))
        {
            if (await client.GetInstanceAsync(document.InstanceId, getInputsAndOutputs: false, ct) is not null) continue;
            if (!await DigitiseDocument.ScheduleAsync(client, document.Id, ct)) continue;
            scheduled++;
            log.LogWarning("Document {DocumentId} is {Status} without a digitise orchestration; scheduled its digitisation now.", document.Id, document.Status);
        }
        if (scheduled > 0) log.LogWarning("Intake recovery scheduled {Count} documents.", scheduled);
    }

    /// <summary>Received and Digitising documents older than <see cref="UploadGrace"/>.</summary>
    private async Task<List<DocumentRecord>> CandidatesAsync(CancellationToken ct)
    {
        var before = catalog.UtcNow - UploadGrace;
        var candidates = (await catalog.ListReceivedAsync(ct)).Where(d => d.CreatedTime <= before).ToList();
        for (var page = 1; ; page++)
        {
            var (documents, total) = await catalog.SearchAsync(new DocumentQuery(null, null, DocumentStatus.Digitising, null, null, null, page, PageSize), ct);
            candidates.AddRange(documents.Where(d => d.CreatedTime <= before));
            if (documents.Count == 0 || page * PageSize >= total) break;
        }
        return candidates;
    }
}
