using Pipeline.Durable;
using Pipeline.Functions.Documents;

namespace Pipeline.Functions.Digitise;

/// <summary>Records that a document was rejected (cannot be digitised) or failed (gave up after retries), with the reason.</summary>
[DurableTask(Name)]
public sealed class RecordFailure(DocumentCatalog catalog) : TaskActivity<FailureRecord, bool>
{
    /// <summary>The registered name.</summary>
    public const string Name = "digitise-record-failure";

    /// <inheritdoc/>
    public override async Task<bool> RunAsync(TaskActivityContext context, FailureRecord failure)
    {
        var action = failure.Status == DocumentStatus.Rejected ? "rejected" : "failed";
        var updated = await catalog.UpdateAsync(failure.DocumentId, d => d with { Status = failure.Status, Error = failure.Error },
            new AuditEntry(action, AuditEntry.System, $"{failure.Error.Code}: {failure.Error.Message}"), ct: context.CancellationToken);
        return updated is not null;
    }
}
