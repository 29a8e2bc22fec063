using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Functions.Digitise;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Extraction;

namespace Pipeline.Functions.Tests.Digitise;

/// <summary>
/// The DigitiseDocument orchestrator on a scripted context: pages read at most maxParallelPages at a time, each with
/// pageAttempts attempts, the progress bar's custom status, and what a rejection or a failed page records.
/// </summary>
public sealed class DigitiseDocumentTests
{
    private const string DocumentId = "0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task Pages_are_read_at_most_maxParallelPages_at_a_time_with_pageAttempts_each_and_progress_counted()
    {
        var context = new ScriptedContext(Plan(pages: 5, parallel: 2, attempts: 4));
        var run = DigitiseDocument.Run(context, new DigitiseInput(DocumentId));

        var maxInFlight = 0;
        while (context.PendingPages.Count > 0)
        {
            maxInFlight = Math.Max(maxInFlight, context.PendingPages.Count);
            // Finish the most recent first: the outcome order must not matter.
            context.CompletePage(context.PendingPages[^1]);
        }
        var result = await run;

        Assert.Equal(2, maxInFlight);
        Assert.Equal(5, context.PageCalls.Count);
        Assert.All(context.PageCalls, call =>
        {
            var policy = Assert.IsType<TaskRetryOptions>(call.Options?.Retry).Policy;
            Assert.NotNull(policy);
            Assert.Equal(4, policy.MaxNumberOfAttempts);
            Assert.Equal(DigitiseDocument.FirstPageRetry, policy.FirstRetryInterval);
        });
        Assert.Equal(new DigitiseResult("Digitised", null), result);
        Assert.Equal([1, 2, 3, 4, 5], context.Assembled!.Pages.Select(p => p.Number));
        Assert.Equal(
            ["preparing 0/0", "ocr 0/5", "ocr 1/5", "ocr 2/5", "ocr 3/5", "ocr 4/5", "ocr 5/5", "extracting 5/5", "assembling 5/5", "done 5/5"],
            context.Statuses.Select(s => $"{s.Stage} {s.PagesDone}/{s.PagesTotal}"));
        Assert.Equal(["digitise-prepare", "digitise-page", "digitise-extract", "digitise-assemble"], context.Activities.Distinct());
    }

    [Fact]
    public async Task A_page_that_fails_after_its_attempts_fails_the_document_with_the_reason()
    {
        var context = new ScriptedContext(Plan(pages: 3, parallel: 3, attempts: 3));
        var run = DigitiseDocument.Run(context, new DigitiseInput(DocumentId));
        context.CompletePage(context.PendingPages[0]);
        context.FailPage(context.PendingPages[0], "Tesseract could not read page 2.");
        var result = await run;

        Assert.Equal("Failed", result.Status);
        var failure = Assert.Single(context.Failures);
        Assert.Equal(DocumentStatus.Failed, failure.Status);
        Assert.Equal("digitise-failed", failure.Error.Code);
        Assert.Contains("Tesseract could not read page 2.", failure.Error.Message);
        Assert.Equal("failed", context.Statuses[^1].Stage);
        Assert.DoesNotContain("digitise-assemble", context.Activities);
    }

    [Fact]
    public async Task A_rejected_plan_records_the_rejection_and_reads_nothing()
    {
        var error = new DocumentError("pdf-encrypted", "The PDF is protected by a password.");
        var context = new ScriptedContext(new DocumentPlan(null, [], "vie+eng", SecrecyLevel.None, 1, 1, error));
        var result = await DigitiseDocument.Run(context, new DigitiseInput(DocumentId));

        Assert.Equal(new DigitiseResult("Rejected", error), result);
        Assert.Equal(new FailureRecord(DocumentId, DocumentStatus.Rejected, error), Assert.Single(context.Failures));
        Assert.Equal(["digitise-prepare", "digitise-record-failure"], context.Activities);
        Assert.Equal("rejected", context.Statuses[^1].Stage);
    }

    [Fact]
    public async Task The_secrecy_of_the_plan_goes_with_every_page()
    {
        var context = new ScriptedContext(Plan(pages: 2, parallel: 2, attempts: 1) with { Secrecy = SecrecyLevel.ToiMat });
        var run = DigitiseDocument.Run(context, new DigitiseInput(DocumentId));
        while (context.PendingPages.Count > 0) context.CompletePage(context.PendingPages[0]);
        await run;
        Assert.All(context.PageCalls, call => Assert.Equal(SecrecyLevel.ToiMat, call.Work.Secrecy));
    }

    [Fact]
    public void The_custom_status_keeps_the_names_the_pages_read()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new DigitiseProgress("ocr", 1, 2));
        Assert.Equal("""{"stage":"ocr","pagesDone":1,"pagesTotal":2}""", json);
    }

    private static DocumentPlan Plan(int pages, int parallel, int attempts)
        => new("base", [.. Enumerable.Range(1, pages).Select(n => new PagePlan(n, 300, false))], "vie+eng", SecrecyLevel.None, attempts, parallel, null);

    /// <summary>A context that answers the activities from a script; page activities finish when the test says.</summary>
    private sealed class ScriptedContext(DocumentPlan plan) : TaskOrchestrationContext
    {
        private readonly Dictionary<PageWork, TaskCompletionSource<PageOutcome>> _pages = [];

        public List<string> Activities { get; } = [];
        public List<(PageWork Work, TaskOptions? Options)> PageCalls { get; } = [];
        public List<PageWork> PendingPages { get; } = [];
        public List<FailureRecord> Failures { get; } = [];
        public List<DigitiseProgress> Statuses { get; } = [];
        public AssembleWork? Assembled { get; private set; }

        public void CompletePage(PageWork work)
        {
            PendingPages.Remove(work);
            _pages[work].SetResult(new PageOutcome(work.Page.Number, null, 10, 5, "tesseract"));
        }

        public void FailPage(PageWork work, string message)
        {
            PendingPages.Remove(work);
            _pages[work].SetException(new TaskFailedException(ReadPage.Name, 0, new TaskFailureDetails("OcrFailedException", message, null, null, null)));
        }

        public override TaskName Name => DigitiseDocument.Name;
        public override string InstanceId => DigitiseDocument.InstanceIdFor(DocumentId);
        public override ParentOrchestrationInstance? Parent => null;
        public override DateTime CurrentUtcDateTime => new(2025, 3, 5, 8, 0, 0, DateTimeKind.Utc);
        public override bool IsReplaying => false;
        public override TaskOrchestrationEntityFeature Entities => throw new NotSupportedException();
        protected override ILoggerFactory LoggerFactory => NullLoggerFactory.Instance;

        public override Task<T> CallActivityAsync<T>(TaskName name, object? input = null, TaskOptions? options = null)
        {
            Activities.Add(name.Name);
            object result;
            switch (name.Name)
            {
                case PrepareDocument.Name:
                    Assert.Equal(DocumentId, input);
                    result = plan;
                    break;
                case ReadPage.Name:
                    var work = Assert.IsType<PageWork>(input);
                    PageCalls.Add((work, options));
                    PendingPages.Add(work);
                    var page = new TaskCompletionSource<PageOutcome>();
                    _pages[work] = page;
                    return (Task<T>)(object)page.Task;
                case ExtractFields.Name:
                    result = new ExtractionOutcome([], plan.Secrecy, []);
                    break;
                case AssembleArchive.Name:
                    Assembled = Assert.IsType<AssembleWork>(input);
                    result = "Digitised";
                    break;
                case RecordFailure.Name:
                    Failures.Add(Assert.IsType<FailureRecord>(input));
                    result = true;
                    break;
                default:
                    throw new InvalidOperationException($"unexpected activity {name}");
            }
            return Task.FromResult((T)result);
        }

        public override void SetCustomStatus(object? customStatus) => Statuses.Add(Assert.IsType<DigitiseProgress>(customStatus));

        public override Task<TResult> CallSubOrchestratorAsync<TResult>(TaskName orchestratorName, object? input = null, TaskOptions? options = null) => throw new NotSupportedException();
        public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken) => throw new NotSupportedException();
        public override Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public override void SendEvent(string instanceId, string eventName, object payload) => throw new NotSupportedException();
        public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true) => throw new NotSupportedException();
        public override Guid NewGuid() => throw new NotSupportedException();
        public override T? GetInput<T>() where T : default => (T)(object)new DigitiseInput(DocumentId);
    }
}
