using System.Text.Json.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Extraction;

namespace Pipeline.Functions.Digitise;

/// <summary>
/// <c>DigitiseDocument</c>: from a stored original to archive PDF, text and per-page words.
/// Prepare (wrap images in a PDF, plan each page's resolution, enforce limits) → read the pages in parallel, at most
/// <c>maxParallelPages</c> at a time (OCR, or the PDF's own text layer) → extract the official-document fields
/// (raising a printed secrecy level) → assemble the archive PDF and the text → record the outcome.
/// Progress (pages done / total) is the custom status. A page that still fails after its <c>pageAttempts</c> fails the
/// document with the reason; a file that cannot be digitised ends Rejected with a reason a clerk can act on.
/// </summary>
public static class DigitiseDocument
{
    /// <summary>The function (orchestration) name.</summary>
    public const string Name = "DigitiseDocument";

    /// <summary>The first retry of a page waits this long, each later one twice as long as the one before.</summary>
    public static readonly TimeSpan FirstPageRetry = TimeSpan.FromSeconds(2);

    /// <summary>The instance id of a document's orchestration: one per document, so scheduling twice is harmless.</summary>
    public static string InstanceIdFor(string documentId) => $"digitise-{documentId}";

    /// <summary>
    /// Starts digitising <paramref name="documentId"/>; does nothing when its orchestration already exists, whatever its
    /// status (a document is digitised once: an existing instance is never replaced by a new one).
    /// </summary>
    /// <returns>True when this call created the instance.</returns>
    public static async Task<bool> ScheduleAsync(DurableTaskClient client, string documentId, CancellationToken ct = default)
    {
        try
        {
            var options = new StartOrchestrationOptions(InstanceIdFor(documentId)).WithDedupeStatuses(Enum.GetValues<OrchestrationRuntimeStatus>());
            await client.ScheduleNewOrchestrationInstanceAsync(Name, new DigitiseInput(documentId), options, ct);
            return true;
        }
        catch (Exception e) when (e is DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException or Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.AlreadyExists })
        {
            // Already scheduled (a retried upload, or recovery racing an upload).
            return false;
        }
    }

    /// <summary>The orchestrator; <paramref name="input"/> is the instance's input.</summary>
    [Function(Name)]
    public static async Task<DigitiseResult> Run([OrchestrationTrigger] TaskOrchestrationContext context, DigitiseInput input)
    {
        if (input is null || string.IsNullOrEmpty(input.DocumentId))
            throw new InvalidOperationException($"{Name} needs an input {{\"documentId\": \"…\"}}.");
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

            var outcomes = await ReadPagesAsync(context, input.DocumentId, plan);
            var total = plan.Pages.Count;

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

    /// <summary>
    /// Reads every page, at most <see cref="DocumentPlan.ParallelPages"/> at a time, each with up to
    /// <see cref="DocumentPlan.PageAttempts"/> attempts; the custom status counts the pages done.
    /// </summary>
    private static async Task<List<PageOutcome>> ReadPagesAsync(TaskOrchestrationContext context, string documentId, DocumentPlan plan)
    {
        var total = plan.Pages.Count;
        context.SetCustomStatus(new DigitiseProgress("ocr", 0, total));
        var retry = TaskOptions.FromRetryPolicy(new RetryPolicy(Math.Max(1, plan.PageAttempts), FirstPageRetry, backoffCoefficient: 2));
        var window = Math.Max(1, plan.ParallelPages);
        var waiting = new Queue<PagePlan>(plan.Pages);
        var reading = new List<Task<PageOutcome>>(Math.Min(window, total));
        var outcomes = new List<PageOutcome>(total);
        while (waiting.Count > 0 || reading.Count > 0)
        {
            while (reading.Count < window && waiting.TryDequeue(out var page))
                reading.Add(context.CallActivityAsync<PageOutcome>(ReadPage.Name, new PageWork(documentId, plan.BaseSha256!, page, plan.Languages, plan.Secrecy), retry));
            var done = await Task.WhenAny(reading);
            reading.Remove(done);
            outcomes.Add(await done);
            context.SetCustomStatus(new DigitiseProgress("ocr", outcomes.Count, total));
        }
        return outcomes;
    }
}

/// <summary>Input of <see cref="DigitiseDocument"/>.</summary>
/// <param name="DocumentId">The document to digitise.</param>
public sealed record DigitiseInput([property: JsonPropertyName("documentId")] string DocumentId);

/// <summary>Output of <see cref="DigitiseDocument"/>: <c>{"status", "error": null | {"code", "message"}}</c>.</summary>
/// <param name="Status">The document's status at the end.</param>
/// <param name="Error">Why it was rejected or failed.</param>
public sealed record DigitiseResult(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("error")] DocumentError? Error);

/// <summary>
/// The custom status of <see cref="DigitiseDocument"/>: what a progress bar shows,
/// <c>{"stage", "pagesDone", "pagesTotal"}</c> (the names are fixed here, whatever the worker's serializer options).
/// </summary>
/// <param name="Stage"><c>preparing</c>, <c>ocr</c>, <c>extracting</c>, <c>assembling</c>, <c>done</c>, <c>rejected</c> or <c>failed</c>.</param>
/// <param name="PagesDone">Pages read so far.</param>
/// <param name="PagesTotal">Pages in the document (0 until known).</param>
public sealed record DigitiseProgress(
    [property: JsonPropertyName("stage")] string Stage,
    [property: JsonPropertyName("pagesDone")] int PagesDone,
    [property: JsonPropertyName("pagesTotal")] int PagesTotal)
{
    /// <summary>Before the pages are counted.</summary>
    public static readonly DigitiseProgress Preparing = new("preparing", 0, 0);
}
