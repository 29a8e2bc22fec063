using Microsoft.Azure.Functions.Worker;
using Pipeline.Functions.Documents;

namespace Pipeline.Functions.Digitise;

/// <summary>Records that a document was rejected (cannot be digitised) or failed (gave up after retries), with the reason.</summary>
public sealed class RecordFailure(DocumentCatalog catalog)
{
    /// <summary>The function (activity) name.</summary>
    public const string Name = "digitise-record-failure";

    /// <summary>The activity: true when the document was there to record it on.</summary>
    [Function(Name)]
    public async Task<bool> Run([ActivityTrigger] FailureRecord failure, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (failure.Status is not (DocumentStatus.Rejected or DocumentStatus.Failed))
            throw new ArgumentException($"{Name} records Rejected or Failed, not {failure.Status}.", nameof(failure));
        var action = failure.Status == DocumentStatus.Rejected ? "rejected" : "failed";
        var updated = await catalog.UpdateAsync(failure.DocumentId, d => d with { Status = failure.Status, Error = failure.Error },
            new AuditEntry(action, AuditEntry.System, $"{failure.Error.Code}: {failure.Error.Message}"), ct: context.CancellationToken);
        return updated is not null;
    }
}
