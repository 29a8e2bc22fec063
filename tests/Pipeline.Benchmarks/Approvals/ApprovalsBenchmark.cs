using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Benchmarks.Approvals;

/// <summary>
/// Decision POST → next step's emails written, on the embedded default (SQLite store, outbox folder). Each approval
/// is a chain of single-approver <c>any</c> steps, every approver a distinct address, so the mail to step k+1's
/// approver is the one step k's decision caused. The clock runs from just before the decision POST until the
/// outbox watcher sees that mail. Between decisions the benchmark waits until the orchestration is idle again
/// (waiting for the next step), as it is when a person decides, so the sequential figure is latency, not queueing;
/// the concurrent run (several approvals deciding at once) is printed apart.
/// </summary>
internal sealed class ApprovalsBenchmark(ApprovalsBenchmark.Settings settings)
{
    public sealed record Settings(int Decisions, int Steps, int WarmUp, int Concurrency, TimeSpan Timeout, TimeSpan WaitQuiet);

    /// <summary>The issue's goal for the sequential p95, in ms.</summary>
    private const double GoalP95Ms = 200;

    /// <summary>Above this share of the machine's CPU used by other processes during a run, its figures are flagged (as the digitise benchmark does).</summary>
    private const double OtherLoadLimit = 0.10;

    /// <summary>One measured decision: POST start → mail seen, and POST start → POST answered.</summary>
    private readonly record struct Sample(double TotalMs, double PostMs);

    private sealed record Chain(int Number, string DocumentId);

    private ApprovalsApp _app = null!;
    private OutboxWatcher _outbox = null!;
    private bool _settleWorks = true;
    private int _settlePollMs = 2;
    private string _run = "";

    public async Task<int> RunAsync()
    {
        MachineInfo.Print();
        await BenchmarkCorpus.InstallDependenciesAsync("--runtime");
        var perChain = settings.Steps - 1; // the last step's decision opens no step: not measured, not made
        var sequentialChains = Ceiling(settings.Decisions, perChain);
        var concurrentChains = settings.Concurrency > 1 ? sequentialChains + settings.Concurrency - 1 : 0;
        var documents = 1 + sequentialChains + concurrentChains; // 1: warm-up

        await using var app = _app = await ApprovalsApp.StartAsync();
        using var outbox = _outbox = new OutboxWatcher(Path.Combine(app.DataDir, "outbox"));
        Console.WriteLine($"  host pid {app.ProcessId}, worker pid {app.WorkerProcessId}, data {app.DataDir}");
        _run = Guid.NewGuid().ToString("N")[..8];
        var clock = Stopwatch.StartNew();
        var ids = await UploadAsync(documents);
        Console.WriteLine($"  {documents} text-layer documents Digitised after {clock.Elapsed.TotalSeconds:F1} s");
        var chains = new Queue<Chain>(ids.Select((id, i) => new Chain(i, id)));

        try
        {
            // Warm-up: JIT, connection pools, SQLite caches; not counted.
            var warm = new List<Sample>();
            var remaining = settings.WarmUp;
            await RunChainAsync(chains.Dequeue(), () => Interlocked.Decrement(ref remaining) >= 0, warm);
            Console.WriteLine($"  warm-up: {warm.Count} decisions (not counted), p50 {Percentile(Sorted(warm, s => s.TotalMs), 0.5):F1} ms");

            Console.WriteLine($"--- sequential: {settings.Decisions} decisions one at a time, over {sequentialChains} approvals of {settings.Steps} single-approver steps");
            var sequential = await RunPhaseAsync(chains, sequentialChains, 1);
            var results = new List<(string Run, List<Sample> Samples, double OtherLoad)> { ("sequential", sequential.Samples, sequential.OtherLoad) };
            if (settings.Concurrency > 1)
            {
                Console.WriteLine($"--- concurrent: {settings.Concurrency} approvals deciding at once, {settings.Decisions} decisions in all");
                var concurrent = await RunPhaseAsync(chains, concurrentChains, settings.Concurrency);
                results.Add(($"{settings.Concurrency} approvals at once", concurrent.Samples, concurrent.OtherLoad));
            }
            PrintSummary(results);
            return 0;
        }
        catch (LinkPagesMissingException e)
        {
            Console.WriteLine($"  {e.Message}");
            return 1;
        }
        catch (TimeoutException e)
        {
            Console.WriteLine($"  {e.Message}\n  app output (tail):\n{Tail(app.Output, 30)}");
            return 1;
        }
    }

    /// <summary>Runs <paramref name="chains"/> approvals, <paramref name="parallel"/> at a time, until the decision budget is spent.</summary>
    private async Task<(List<Sample> Samples, double OtherLoad)> RunPhaseAsync(Queue<Chain> chains, int count, int parallel)
    {
        await WaitQuietAsync(settings.WaitQuiet);
        // Several chains polling their status every 2 ms would load the app the others are being timed on.
        _settlePollMs = 2 * parallel;
        var mine = new Queue<Chain>(Enumerable.Range(0, count).Select(_ => chains.Dequeue()));
        var samples = new List<Sample>();
        var remaining = settings.Decisions;
        bool Claim() => Interlocked.Decrement(ref remaining) >= 0;
        var (cpuBefore, selfBefore, machineBefore) = (_app.CpuSeconds(), Environment.CpuUsage.TotalTime.TotalSeconds, MachineBusyCpu());
        var (counts, load) = (_outbox.Counts, MachineInfo.LoadAverage());
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
        {
            while (Volatile.Read(ref remaining) > 0)
            {
                Chain? chain;
                lock (mine) if (!mine.TryDequeue(out chain)) return;
                await RunChainAsync(chain, Claim, samples);
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = _app.CpuSeconds() - cpuBefore;
        var self = Environment.CpuUsage.TotalTime.TotalSeconds - selfBefore;
        // Other processes' share of the machine meanwhile: busy CPU of the whole machine less the app's and ours.
        var other = Math.Max(0, MachineBusyCpu() - machineBefore - cpu - self) / (seconds * Environment.ProcessorCount);
        var (watcher, poll) = (_outbox.Counts.Watcher - counts.Watcher, _outbox.Counts.Poll - counts.Poll);
        Print(samples);
        Console.WriteLine($"  {samples.Count} decisions in {seconds:F1} s ({samples.Count / seconds:F1}/s, with the waits for idle between them); " +
            $"app CPU (host + worker) {cpu:F1} s ({cpu * 1000 / Math.Max(1, samples.Count):F1} ms per decision, " +
            $"with answering the status polls between decisions), benchmark client {self:F1} s");
        Console.WriteLine($"  other processes used {other * 100:F0} % of the machine's CPU meanwhile; load average {load} → {MachineInfo.LoadAverage()}");
        Console.WriteLine($"  mails seen first by the watcher {watcher}, by the polling fallback {poll}" +
            (poll > 0 ? " (those times are up to 5 ms late)" : ""));
        return (samples, other);
    }

    /// <summary>
    /// Sends one document for approval along <see cref="Settings.Steps"/> steps and approves them one after the
    /// other while <paramref name="claim"/> allows, timing each decision until the next step's mail is written.
    /// </summary>
    private async Task RunChainAsync(Chain chain, Func<bool> claim, List<Sample> samples)
    {
        var approvers = Enumerable.Range(0, settings.Steps).Select(k => $"c{chain.Number}-s{k}-{_run}@bench.example.vn").ToList();
        var steps = new JsonArray([.. approvers.Select((a, k) => (JsonNode)new JsonObject
        {
            ["name"] = $"Bước {k + 1}", ["approvers"] = new JsonArray(a), ["mode"] = "any", ["due"] = "P2D",
        })]);
        using var started = await _app.Api.PostAsJsonAsync($"/api/documents/{Uri.EscapeDataString(chain.DocumentId)}/approvals", new JsonObject { ["steps"] = steps });
        if (started.StatusCode != HttpStatusCode.Accepted)
            throw new InvalidOperationException($"POST /api/documents/{chain.DocumentId}/approvals → {(int)started.StatusCode}: {await started.Content.ReadAsStringAsync()}");
        var body = (await started.Content.ReadFromJsonAsync<JsonObject>())!;
        var (approvalId, instanceId) = ((string)body["approvalId"]!, (string)body["instanceId"]!);

        var mail = await _outbox.WaitForAsync(approvers[0], settings.Timeout);
        await SettleAsync(instanceId, 0);
        var decided = 0;
        for (var k = 0; k < settings.Steps - 1 && claim(); k++)
        {
            var start = Stopwatch.GetTimestamp();
            using (var response = await _app.Links.PostAsync(mail.Link.PathAndQuery, new FormUrlEncodedContent([new("decision", "approve")])))
            {
                var posted = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (response.StatusCode == HttpStatusCode.NotFound)
                    throw new LinkPagesMissingException($"POST {mail.Link.AbsolutePath[..Math.Min(30, mail.Link.AbsolutePath.Length)]}… → 404: the approval link pages are not there (yet).");
                if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.SeeOther or HttpStatusCode.Found))
                    throw new InvalidOperationException($"decision POST for step {k} of approval {approvalId} → {(int)response.StatusCode}: {Tail(await response.Content.ReadAsStringAsync(), 5)}");
                mail = await _outbox.WaitForAsync(approvers[k + 1], settings.Timeout);
                lock (samples) samples.Add(new Sample(Stopwatch.GetElapsedTime(start, mail.Seen).TotalMilliseconds, posted));
            }
            decided++;
            await SettleAsync(instanceId, k + 1);
        }
        // Not timed: the approval must say what was decided, or the figures measure something else.
        var approval = (await _app.Api.GetFromJsonAsync<JsonObject>($"/api/approvals/{Uri.EscapeDataString(approvalId)}"))!;
        var approved = approval["steps"]!.AsArray().Count(s => (string?)s!["status"] == "Approved");
        if (approved != decided || (string?)approval["status"] != "Pending")
            throw new InvalidOperationException($"approval {approvalId}: {decided} decisions made but {approved} steps Approved: {approval.ToJsonString()}");
    }

    /// <summary>
    /// Waits until the approval's orchestration is idle, waiting on step <paramref name="step"/> (its custom status
    /// says so), so the next decision does not queue behind the work of the last one. Falls back to a 50 ms pause if
    /// the status does not have that shape.
    /// </summary>
    private async Task SettleAsync(string instanceId, int step)
    {
        if (!_settleWorks) { await Task.Delay(50); return; }
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            var status = await _app.Api.GetFromJsonAsync<JsonObject>($"/runtime/webhooks/durabletask/instances/{Uri.EscapeDataString(instanceId)}?showHistory=false");
            var custom = status?["customStatus"] as JsonObject;
            if (custom?["step"] is JsonValue s && s.TryGetValue<int>(out var at) && at == step && (string?)custom["stage"] == "waiting") return;
            await Task.Delay(_settlePollMs);
        }
        _settleWorks = false;
        Console.WriteLine($"  note: the orchestration's custom status never said {{step: {step}, stage: \"waiting\"}}; pausing 50 ms between decisions instead");
    }

    private async Task<List<string>> UploadAsync(int count)
    {
        var ids = new string[count];
        using var gate = new SemaphoreSlim(8);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                using var form = new MultipartFormDataContent();
                var file = new ByteArrayContent(TextPdf.Create(["Pipeline approvals benchmark", $"Run {_run}, document {i + 1} of {count}",
                    "This page has a text layer, so it is not OCR'd."]));
                file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
                form.Add(file, "file", $"approvals-{i + 1}.pdf");
                using var response = await _app.Api.PostAsync("/api/documents", form);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"POST /api/documents → {(int)response.StatusCode}: {body}");
                ids[i] = (string)JsonNode.Parse(body)!["documents"]![0]!["documentId"]!;
            }
            finally { gate.Release(); }
        }));
        if (ids.Distinct().Count() != count) throw new InvalidOperationException("Two generated PDFs were taken as the same document.");

        var clock = Stopwatch.StartNew();
        foreach (var id in ids)
        {
            while (true)
            {
                var doc = (await _app.Api.GetFromJsonAsync<JsonObject>($"/api/documents/{Uri.EscapeDataString(id)}"))!;
                var status = (string?)doc["status"];
                if (status == "Digitised") break;
                if (status is not ("Received" or "Digitising") || clock.Elapsed > TimeSpan.FromMinutes(10))
                    throw new InvalidOperationException($"document {id} is {status}, not Digitised: {doc.ToJsonString()}");
                await Task.Delay(100);
            }
        }
        return [.. ids];
    }

    // ---------------------------------------------------------------- report

    private static void Print(List<Sample> samples)
    {
        var total = Sorted(samples, s => s.TotalMs);
        var post = Sorted(samples, s => s.PostMs);
        Console.WriteLine($"  decision POST → next step's email written: {Figures(total)}");
        Console.WriteLine($"  of which POST → its answer:                 {Figures(post)}");
    }

    private static string Figures(List<double> sorted) => sorted.Count == 0 ? "no samples" :
        $"p50 {Percentile(sorted, 0.5):F1} ms, p95 {Percentile(sorted, 0.95):F1} ms, p99 {Percentile(sorted, 0.99):F1} ms, " +
        $"max {sorted[^1]:F1} ms, mean {sorted.Average():F1} ms";

    private void PrintSummary(List<(string Run, List<Sample> Samples, double OtherLoad)> results)
    {
        Console.WriteLine();
        Console.WriteLine($"Approvals benchmark, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, embedded default (SQLite + outbox), " +
            $"approvals of {settings.Steps} single-approver \"any\" steps");
        Console.WriteLine("| run | decisions | p50 | p95 | p99 | max | mean | POST answered p50 / p95 | other processes' CPU |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var (run, samples, other) in results)
        {
            var t = Sorted(samples, s => s.TotalMs);
            var p = Sorted(samples, s => s.PostMs);
            Console.WriteLine($"| {run} | {t.Count} | {Percentile(t, 0.5):F1} ms | {Percentile(t, 0.95):F1} ms | {Percentile(t, 0.99):F1} ms | {t[^1]:F1} ms | " +
                $"{t.Average():F1} ms | {Percentile(p, 0.5):F1} / {Percentile(p, 0.95):F1} ms | {other * 100:F0} % |");
        }
        foreach (var (run, _, other) in results.Where(r => r.OtherLoad > OtherLoadLimit))
            Console.WriteLine($"WARNING: other work used {other * 100:F0} % of this machine's CPU during the {run} run (limit {OtherLoadLimit * 100:F0} %): " +
                "its latencies include waiting for a core and are higher than on a quiet machine. Rerun on a quiet machine.");
        var p95 = Percentile(Sorted(results[0].Samples, s => s.TotalMs), 0.95);
        Console.WriteLine();
        Console.WriteLine($"goal p95 ≤ {GoalP95Ms:F0} ms (decision POST → next step's emails written, sequential): {(p95 <= GoalP95Ms ? "met" : "NOT met")} ({p95:F1} ms)");
    }

    /// <summary>CPU seconds the whole machine has spent busy (all but idle and iowait) since boot, from /proc/stat.</summary>
    private static double MachineBusyCpu()
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        return (cpu.Take(8).Sum() - cpu[3] - cpu[4]) / 100.0; // user nice system idle iowait irq softirq steal; USER_HZ
    }

    /// <summary>Waits up to <paramref name="limit"/> for the 1-minute load average to drop below the core count.</summary>
    private static async Task WaitQuietAsync(TimeSpan limit)
    {
        static double Load() => double.Parse(MachineInfo.LoadAverage(), CultureInfo.InvariantCulture);
        if (limit <= TimeSpan.Zero || Load() < Environment.ProcessorCount) return;
        Console.WriteLine($"  waiting up to {limit.TotalMinutes:F0} min for the load average ({Load():F1}) to drop below {Environment.ProcessorCount}…");
        var waited = Stopwatch.StartNew();
        while (Load() >= Environment.ProcessorCount && waited.Elapsed < limit) await Task.Delay(5000);
        Console.WriteLine($"  load average {Load():F1} after {waited.Elapsed.TotalSeconds:F0} s");
    }

    private static List<double> Sorted(List<Sample> samples, Func<Sample, double> pick) => [.. samples.Select(pick).Order()];

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static int Ceiling(int a, int b) => (a + b - 1) / b;

    private static string Tail(string text, int lines)
    {
        var all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join("\n", all.Skip(Math.Max(0, all.Length - lines)));
    }

    private sealed class LinkPagesMissingException(string message) : Exception(message);
}
