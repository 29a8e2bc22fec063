using Pipeline.Durable;
using Pipeline.Durable.Storage;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Extraction;

namespace Pipeline.Functions.Digitise;

/// <summary>
/// <c>DigitiseDocument</c>: from a stored original to archive PDF, text and per-page words.
/// Prepare (wrap images in a PDF, plan each page's resolution, enforce limits) → read every page in parallel
/// (OCR, or the PDF's own text layer) → extract the official-document fields (raising a printed secrecy level) →
/// assemble the archive PDF and the text → record the outcome.
/// Progress (pages done / total) is the custom status. A page that still fails after its retries fails the
/// document with the reason; a file that cannot be digitised ends Rejected with a reason a clerk can act on.
/// </summary>
[DurableTask(Name)]
public sealed class DigitiseDocument : TaskOrchestrator<DigitiseInput, DigitiseResult>
{
    /// <summary>The registered name.</summary>
    public const string Name = "DigitiseDocument";

    /// <summary>The instance id of a document's orchestration: one per document, so scheduling twice is harmless.</summary>
    public static string InstanceIdFor(string documentId) => $"digitise-{documentId}";

    /// <summary>Starts digitising <paramref name="documentId"/>; does nothing when its orchestration already exists and runs.</summary>
    public static async Task ScheduleAsync(DurableTaskClient client, string documentId, CancellationToken ct = default)
    {
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(Name, new DigitiseInput(documentId),
                new StartOrchestrationOptions { InstanceId = InstanceIdFor(documentId) }, ct);
        }
        catch (OrchestrationAlreadyExistsException)
        {
            // Already scheduled (a retried upload, or recovery after a restart).
        }
    }

    /// <inheritdoc/>
    public override async Task<DigitiseResult> RunAsync(TaskOrchestrationContext context, DigitiseInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        context.SetCustomStatus(DigitiseProgress.Preparing);
        try
        {
            var plan = await context.CallActivityAsync<DocumentPlan>(PrepareDocument.Name, input.DocumentId);
            if (plan.Rejection is { } rejection)
            {
                await context.CallActivityAsync<bool>(RecordFailure.Name, new FailureRecord(input.DocumentId, DocumentStatus.Rejected, rejection));
                context.SetCustomStatus(new DigitiseProgress("rejected", 0, plan.Pages.Count));
                return new DigitiseResult(DocumentStatus.Rejected.ToString(), rejection);
            }

            var total = plan.Pages.Count;
            context.SetCustomStatus(new DigitiseProgress("ocr", 0, total));
            var retry = new TaskOptions(new RetryPolicy(plan.PageAttempts, TimeSpan.FromSeconds(2), BackoffCoefficient: 2));
            var reading = plan.Pages
                .Select(page => context.CallActivityAsync<PageOutcome>(ReadPage.Name, new PageWork(input.DocumentId, plan.BaseSha256!, page, plan.Languages, plan.Secrecy), retry))
                .ToList();
            var outcomes = new List<PageOutcome>(total);
            while (reading.Count > 0)
            {
                var done = await Task.WhenAny(reading);
                reading.Remove(done);
                outcomes.Add(await done);
                context.SetCustomStatus(new DigitiseProgress("ocr", outcomes.Count, total));
            }

            context.SetCustomStatus(new DigitiseProgress("extracting", total, total));
            await context.CallActivityAsync<ExtractionOutcome>(ExtractFields.Name, input.DocumentId);

            context.SetCustomStatus(new DigitiseProgress("assembling", total, total));
            var status = await context.CallActivityAsync<string>(AssembleArchive.Name,
                new AssembleWork(input.DocumentId, plan.BaseSha256!, [.. outcomes.OrderBy(o => o.Number)]));
            context.SetCustomStatus(new DigitiseProgress("done", total, total));
            return new DigitiseResult(status, null);
        }
        catch (TaskFailedException e)
        {
            var error = new DocumentError("digitise-failed",
                $"Digitising stopped: {e.FailureDetails.ErrorMessage} Upload the file again to retry; if it fails again, give this message to the operator.");
            await context.CallActivityAsync<bool>(RecordFailure.Name, new FailureRecord(input.DocumentId, DocumentStatus.Failed, error));
            context.SetCustomStatus(new DigitiseProgress("failed", 0, 0));
            return new DigitiseResult(DocumentStatus.Failed.ToString(), error);
        }
    }
}

/// <summary>Input of <see cref="DigitiseDocument"/>.</summary>
/// <param name="DocumentId">The document to digitise.</param>
public sealed record DigitiseInput(string DocumentId);

/// <summary>Output of <see cref="DigitiseDocument"/>.</summary>
/// <param name="Status">The document's status at the end.</param>
/// <param name="Error">Why it was rejected or failed.</param>
public sealed record DigitiseResult(string Status, DocumentError? Error);

/// <summary>The custom status of <see cref="DigitiseDocument"/>: what a progress bar shows.</summary>
/// <param name="Stage"><c>preparing</c>, <c>ocr</c>, <c>extracting</c>, <c>assembling</c>, <c>done</c>, <c>rejected</c> or <c>failed</c>.</param>
/// <param name="PagesDone">Pages read so far.</param>
/// <param name="PagesTotal">Pages in the document (0 until known).</param>
public sealed record DigitiseProgress(string Stage, int PagesDone, int PagesTotal)
{
    /// <summary>Before the pages are counted.</summary>
    public static readonly DigitiseProgress Preparing = new("preparing", 0, 0);
}
