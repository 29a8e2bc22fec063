using Pipeline.Durable;
using Pipeline.Functions.Digitise;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Hosting;

namespace Pipeline.Functions.Intake;

/// <summary>
/// At startup: clears scratch files a crash left behind, and schedules digitisation of documents recorded as
/// Received whose orchestration was never created (the process died between recording an upload and scheduling it).
/// </summary>
public sealed class IntakeRecovery(DocumentCatalog catalog, DurableTaskClient client, DataDirectory data, ILogger<IntakeRecovery> log) : IHostedService
{
    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        WorkDirectory.CleanUp(data);
        foreach (var document in await catalog.ListReceivedAsync(cancellationToken))
        {
            if (await client.GetInstanceAsync(document.InstanceId, ct: cancellationToken) is not null) continue;
            log.LogWarning("Document {DocumentId} was recorded but never scheduled; scheduling its digitisation now.", document.Id);
            await DigitiseDocument.ScheduleAsync(client, document.Id, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
