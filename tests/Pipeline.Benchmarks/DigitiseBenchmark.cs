using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Testing;

namespace Pipeline.Benchmarks;

/// <summary>
/// The digitise benchmark: on the vn-official corpus, in one run on this machine, Pipeline (the real app,
/// a batch of scans uploaded at once over HTTP, until every document is Digitised/NeedsReview) against
/// OCRmyPDF 14 from Debian (<c>ocrmypdf -l vie --jobs 2 --output-type pdfa --sidecar</c>, one document
/// after the other): pages per minute and character error rate against truth.json <c>text</c>; and
/// Pipeline's orchestration + storage overhead relative to the time spent inside Tesseract.
/// </summary>
internal sealed class DigitiseBenchmark(DigitiseBenchmark.Settings settings)
{
    public sealed record Settings(string Corpus, string Languages, bool SkipPipeline, bool SkipOcrmypdf, int FilesPerRequest, TimeSpan Timeout,
        TimeSpan WaitQuiet, bool WarmUp);

    /// <summary>One corpus document: its folder name, scan, and the truth's text and page count.</summary>
    public sealed record CorpusDocument(string Name, string ScanPath, string TruthText, int TruthPages);

    public sealed record DocumentResult(CorpusDocument Document, bool Ok, int Pages, CharacterErrorRate.Score Score, string? Error,
        double Seconds, long EngineMilliseconds, bool? PdfA);

    /// <param name="CpuSeconds">CPU of the tool with every process it ran (user + system): a figure other load on the machine barely changes.</param>
    /// <param name="OtherLoad">Share of the machine's CPU that processes other than this benchmark and the tool used meanwhile.</param>
    public sealed record ToolResult(string Tool, IReadOnlyList<DocumentResult> Documents, double Seconds, double PeakRssMb, double PeakTreeRssMb,
        double CpuSeconds, double OtherLoad)
    {
        /// <summary>Above this share of the machine used by other work, wall-clock figures are not valid.</summary>
        public const double OtherLoadLimit = 0.10;

        public int Succeeded => Documents.Count(d => d.Ok);
        public int Failed => Documents.Count(d => !d.Ok);
        public int Pages => Documents.Where(d => d.Ok).Sum(d => d.Pages);
        public double PagesPerMinute => Seconds > 0 ? Pages / (Seconds / 60) : 0;
        public CharacterErrorRate.Score Corpus => Documents.Where(d => d.Ok).Aggregate(default(CharacterErrorRate.Score), (a, d) => a + d.Score);
        public double MeanCer => Documents.Any(d => d.Ok) ? Documents.Where(d => d.Ok).Average(d => d.Score.Rate) : double.NaN;
    }

    public sealed record Overhead(long EngineMilliseconds, double AppCpuSeconds, double ToolsCpuSeconds, double ElapsedSeconds, int Parallelism)
    {
        /// <summary>The goal's figure: the app process's own CPU (engine, storage, HTTP) over the time inside Tesseract.</summary>
        public double CpuPercent => EngineMilliseconds > 0 ? AppCpuSeconds * 1000 / EngineMilliseconds * 100 : double.NaN;

        /// <summary>Second view: wall-clock capacity not spent in Tesseract, (elapsed × parallelism − engine) / engine.</summary>
        public double WallPercent => EngineMilliseconds > 0 ? (ElapsedSeconds * 1000 * Parallelism - EngineMilliseconds) / EngineMilliseconds * 100 : double.NaN;

        /// <summary>
        /// Third view, insensitive to other load: app own CPU / CPU of all the tools it ran (Tesseract, poppler, qpdf,
        /// Ghostscript…). Tesseract's CPU is at most the tools' CPU, so this is a lower bound of app CPU / Tesseract CPU.
        /// </summary>
        public double ToolsCpuPercent => ToolsCpuSeconds > 0 ? AppCpuSeconds / ToolsCpuSeconds * 100 : double.NaN;
    }

    public async Task<int> RunAsync()
    {
        CharacterErrorRate.SelfCheck();
        Console.WriteLine("CER self-check passed (Levenshtein, NFC, Ð→Đ, whitespace).");

        await BenchmarkCorpus.InstallDependenciesAsync("--runtime", "--bench");
        var corpus = LoadCorpus(settings.Corpus);
        Console.WriteLine($"Corpus {settings.Corpus}: {corpus.Count} documents, {corpus.Sum(d => d.TruthPages)} pages (truth.json), " +
            $"{corpus.Sum(d => CharacterErrorRate.CodePoints(CharacterErrorRate.Normalise(d.TruthText)).Length)} reference characters");
        if (corpus.Count != 24) Console.WriteLine($"  note: the issue's corpus has 24 documents, this one {corpus.Count}.");

        ToolResult? pipeline = null, ocrmypdf = null;
        Overhead? overhead = null;
        if (!settings.SkipPipeline) (pipeline, overhead) = await RunPipelineAsync(corpus);
        if (!settings.SkipOcrmypdf) ocrmypdf = await RunOcrmypdfAsync(corpus);

        PrintPerDocument(corpus, pipeline, ocrmypdf);
        PrintSummary(pipeline, ocrmypdf, overhead);
        return (pipeline?.Failed ?? 0) + (ocrmypdf?.Failed ?? 0) == 0 ? 0 : 1;
    }

    // ---------------------------------------------------------------- setup

    public static IReadOnlyList<CorpusDocument> LoadCorpus(string dir) => [.. BenchmarkCorpus.Load(dir).Select(scan => new CorpusDocument(scan.Name, scan.ScanPath,
        (string?)scan.Truth["text"] ?? throw new InvalidDataException($"{scan.Name}/truth.json has no text"), scan.Truth["pages"]?.GetValue<int>() ?? 0))];

    // ---------------------------------------------------------------- Pipeline

    private async Task<(ToolResult, Overhead)> RunPipelineAsync(IReadOnlyList<CorpusDocument> corpus)
    {
        Console.WriteLine();
        Console.WriteLine($"--- Pipeline: upload all {corpus.Count} scans at once ({settings.FilesPerRequest} per request, language {settings.Languages}), " +
            "wait for every document to be Digitised/NeedsReview");
        await using var app = await AppDeployment.StartAsync("sqlite", 1, null);
        // The app is the worker (the tools are its children); the host runs the durable store and routes HTTP, so its
        // own CPU counts as the app's too (it is what the old single process did).
        var pid = app.Instances[0].WorkerProcessId;
        var hostPid = app.Instances[0].Host.Id;
        Console.WriteLine($"  host pid {hostPid}, worker (app) pid {pid}, data {app.DataDir}");
        var http = app.Http;
        http.Timeout = TimeSpan.FromMinutes(10);

        Console.WriteLine($"  app CPU after start-up: worker {ProcessCpu(pid).Own:F2} s, host {ProcessCpu(hostPid).Own:F2} s");
        if (settings.WarmUp) await WarmUpAsync(http, pid);
        await WaitQuietAsync(settings.WaitQuiet);
        WarnIfBusy();
        await using var sampler = RssSampler.Start(hostPid); // the tree: host, worker, tools
        var (cpuBefore, childCpuBefore) = ProcessCpu(pid);
        cpuBefore += ProcessCpu(hostPid).Own;
        var selfBefore = ProcessCpu(Environment.ProcessId).Own;
        var machineBefore = MachineBusyCpu();
        var clock = Stopwatch.StartNew();
        var uploadStart = DateTimeOffset.UtcNow;

        // The batch: every request in flight at once, as an office drops a scanner's output.
        var batches = corpus.Select((d, i) => (d, i)).GroupBy(x => x.i / settings.FilesPerRequest, x => x.d).Select(g => g.ToList()).ToList();
        var uploads = await Task.WhenAll(batches.Select(batch => UploadAsync(http, batch)));
        var ids = uploads.SelectMany(x => x).ToList(); // (document, documentId)
        Console.WriteLine($"  {ids.Count} uploads accepted after {clock.Elapsed.TotalSeconds:F2} s");

        // Wait for the last one. Polling is load on the app being measured (its CPU is the overhead figure),
        // so ask about one document at a time: the oldest one not yet seen ready; move on when it is.
        var statuses = new JsonObject?[ids.Count];
        var readyAt = new double[ids.Count];
        var deadline = clock.Elapsed + settings.Timeout;
        var next = 0;
        while (next < ids.Count)
        {
            var doc = await http.GetFromJsonAsync<JsonObject>($"/api/documents/{Uri.EscapeDataString(ids[next].Id)}");
            var status = (string?)doc!["status"];
            if (status is "Digitised" or "NeedsReview" or "Rejected" or "Failed")
            {
                statuses[next] = doc;
                readyAt[next] = clock.Elapsed.TotalSeconds;
                if (status is "Rejected" or "Failed")
                    Console.WriteLine($"  {ids[next].Doc.Name}: {status}: {doc["error"]?.ToJsonString() ?? "(no error)"}");
                next++;
                continue;
            }
            if (clock.Elapsed > deadline)
            {
                Console.WriteLine($"  timed out after {settings.Timeout}: {ids[next].Doc.Name} is {status}; app output:\n{Tail(app.Output, 40)}");
                break;
            }
            await Task.Delay(200);
        }
        var elapsed = clock.Elapsed.TotalSeconds;
        var (cpuAfter, childCpuAfter) = ProcessCpu(pid);
        cpuAfter += ProcessCpu(hostPid).Own;
        var selfAfter = ProcessCpu(Environment.ProcessId).Own;
        var machineAfter = MachineBusyCpu();
        var peakRss = (ReadStatusKb(pid, "VmHWM:") + ReadStatusKb(hostPid, "VmHWM:")) / 1024.0; // host + worker
        var peakTree = await sampler.StopAsync();
        Console.WriteLine($"  all {ids.Count} documents finished after {elapsed:F2} s; app CPU (host + worker) {cpuAfter - cpuBefore:F2} s, " +
            $"reaped tool children CPU {childCpuAfter - childCpuBefore:F2} s");

        // Text of each document, against the truth.
        var results = new List<DocumentResult>();
        long engineMs = 0;
        for (var i = 0; i < ids.Count; i++)
        {
            var (doc, id) = ids[i];
            var json = statuses[i];
            var status = (string?)json?["status"];
            // When the app says it finished the document (its lastUpdatedTime; the polling only sees it later).
            var seconds = json?["lastUpdatedTime"] is JsonValue t && t.TryGetValue<DateTimeOffset>(out var updated)
                ? (updated - uploadStart).TotalSeconds
                : readyAt[i];
            if (status is not ("Digitised" or "NeedsReview"))
            {
                results.Add(new DocumentResult(doc, false, 0, default, $"{status ?? "unfinished"} {json?["error"]?.ToJsonString()}", seconds, 0, null));
                continue;
            }
            var digitisation = json!["digitisation"];
            var ms = digitisation?["engineMilliseconds"]?.GetValue<long>() ?? 0;
            engineMs += ms;
            var pages = json["pages"]?.GetValue<int>() ?? 0;
            if (pages != doc.TruthPages) Console.WriteLine($"  note: {doc.Name}: Pipeline counted {pages} pages, truth.json says {doc.TruthPages}");
            var textLink = (string?)json["links"]?["text"] ?? $"/api/documents/{Uri.EscapeDataString(id)}/text";
            using var response = await http.GetAsync(textLink);
            if (!response.IsSuccessStatusCode)
            {
                results.Add(new DocumentResult(doc, false, pages, default, $"GET {textLink} → {(int)response.StatusCode}", seconds, ms, null));
                continue;
            }
            var text = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
            results.Add(new DocumentResult(doc, true, pages, CharacterErrorRate.Compute(doc.TruthText, text), null, seconds, ms,
                digitisation?["pdfA"]?.GetValue<bool>()));
        }
        if (results.Count > 0)
            Console.WriteLine($"  last document finished {results.Max(r => r.Seconds):F2} s after the first upload by the app's own timestamps " +
                $"(polled: {elapsed:F2} s, the figure used)");
        if (results.Any(r => r.Ok) && engineMs == 0)
            Console.WriteLine("  note: no digitisation.engineMilliseconds in the document JSON; the overhead cannot be computed.");

        var tool = new ToolResult("Pipeline", results, elapsed, peakRss, peakTree,
            cpuAfter - cpuBefore + childCpuAfter - childCpuBefore,
            OtherShare(machineAfter - machineBefore, cpuAfter - cpuBefore + childCpuAfter - childCpuBefore + selfAfter - selfBefore, elapsed));
        var overhead = new Overhead(engineMs, cpuAfter - cpuBefore, childCpuAfter - childCpuBefore, elapsed,
            Math.Min(Environment.ProcessorCount, corpus.Count));
        return (tool, overhead);
    }

    /// <summary>
    /// --warm-up (not the issue's figure, which is a fresh app): digitise one unrelated scan first, so the timed
    /// batch runs on code the JIT has compiled already. Shows how much of the app's CPU is start-up compilation.
    /// </summary>
    private async Task WarmUpAsync(HttpClient http, int pid)
    {
        var scan = RepoPaths.CorpusPath("ocrmypdf-resources", "skew.pdf");
        var before = ProcessCpu(pid).Own;
        var clock = Stopwatch.StartNew();
        var (_, id) = (await UploadAsync(http, [new CorpusDocument("warm-up", scan, "", 1)]))[0];
        string? status;
        do
        {
            await Task.Delay(250);
            status = (string?)(await http.GetFromJsonAsync<JsonObject>($"/api/documents/{Uri.EscapeDataString(id)}"))!["status"];
        } while (status is "Received" or "Digitising" && clock.Elapsed < TimeSpan.FromMinutes(5));
        Console.WriteLine($"  warm-up document ({Path.GetFileName(scan)}): {status} after {clock.Elapsed.TotalSeconds:F1} s, app CPU {ProcessCpu(pid).Own - before:F2} s (not counted)");
    }

    private async Task<IReadOnlyList<(CorpusDocument Doc, string Id)>> UploadAsync(HttpClient http, IReadOnlyList<CorpusDocument> batch)
    {
        using var form = new MultipartFormDataContent();
        foreach (var doc in batch)
        {
            var file = new ByteArrayContent(await File.ReadAllBytesAsync(doc.ScanPath));
            file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
            form.Add(file, "file", $"{doc.Name}.pdf");
        }
        form.Add(new StringContent(settings.Languages), "language");
        using var response = await http.PostAsync("/api/documents", form);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Accepted)
            throw new InvalidOperationException($"POST /api/documents ({string.Join(", ", batch.Select(d => d.Name))}) → {(int)response.StatusCode}: {body}");
        var documents = JsonNode.Parse(body)!["documents"]!.AsArray();
        if (documents.Count != batch.Count)
            throw new InvalidOperationException($"POST /api/documents: {batch.Count} files but {documents.Count} documents: {body}");
        return batch.Select((d, i) => (d, (string)documents[i]!["documentId"]!)).ToList();
    }

    /// <summary>utime+stime (the process's own CPU) and cutime+cstime (its waited-for children: the tools), in seconds.</summary>
    private static (double Own, double Children) ProcessCpu(int pid)
    {
        // Fields after "(comm)": state is [0], so utime/stime/cutime/cstime (fields 14..17 of stat) are [11..14].
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        const double ticks = 100.0; // USER_HZ
        return ((long.Parse(fields[11]) + long.Parse(fields[12])) / ticks, (long.Parse(fields[13]) + long.Parse(fields[14])) / ticks);
    }

    private static long ReadStatusKb(int pid, string key)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    // ---------------------------------------------------------------- OCRmyPDF

    private async Task<ToolResult> RunOcrmypdfAsync(IReadOnlyList<CorpusDocument> corpus)
    {
        Console.WriteLine();
        var (_, version) = await BenchmarkCorpus.RunToolAsync("ocrmypdf", ["--version"], null);
        Console.WriteLine($"--- OCRmyPDF {version.Trim()}: one document after the other, ocrmypdf -l vie --jobs 2 --output-type pdfa --sidecar");
        var tmp = Directory.CreateTempSubdirectory("pipeline-bench-ocrmypdf-").FullName;
        try
        {
            var results = new List<DocumentResult>();
            double total = 0, peakMain = 0, peakTree = 0;
            await WaitQuietAsync(settings.WaitQuiet);
            WarnIfBusy();
            // ocrmypdf and everything it runs are reaped into this process's cutime+cstime.
            var (selfBefore, cpuBefore) = ProcessCpu(Environment.ProcessId);
            var machineBefore = MachineBusyCpu();
            var phase = Stopwatch.StartNew();
            for (var i = 0; i < corpus.Count; i++)
            {
                var doc = corpus[i];
                var sidecar = Path.Combine(tmp, $"doc{i:000}.txt");
                var output = Path.Combine(tmp, $"doc{i:000}.pdf");
                var psi = new ProcessStartInfo("ocrmypdf")
                {
                    UseShellExecute = false,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    StandardErrorEncoding = Encoding.UTF8,
                };
                foreach (var a in new[] { "-l", "vie", "--jobs", "2", "--output-type", "pdfa", "--sidecar", sidecar, doc.ScanPath, output })
                    psi.ArgumentList.Add(a);
                var clock = Stopwatch.StartNew();
                using var process = Process.Start(psi)!;
                await using var sampler = RssSampler.Start(process.Id);
                var stderr = process.StandardError.ReadToEndAsync();
                var stdout = process.StandardOutput.ReadToEndAsync();
                await process.WaitForExitAsync();
                var seconds = clock.Elapsed.TotalSeconds;
                var log = await stderr + await stdout;
                var tree = await sampler.StopAsync();
                peakMain = Math.Max(peakMain, sampler.PeakRootMb);
                peakTree = Math.Max(peakTree, tree);
                total += seconds;
                if (process.ExitCode != 0 || !File.Exists(sidecar))
                {
                    var error = $"exit code {process.ExitCode}: {Tail(log, 5)}";
                    Console.WriteLine($"  {doc.Name}: FAILED after {seconds:F2} s, {error}");
                    results.Add(new DocumentResult(doc, false, 0, default, error, seconds, 0, null));
                    continue;
                }
                var score = CharacterErrorRate.Compute(doc.TruthText, await File.ReadAllTextAsync(sidecar));
                var pdfa = log.Contains("Output file is a PDF/A", StringComparison.Ordinal);
                Console.WriteLine($"  {doc.Name}: {doc.TruthPages} page(s) in {seconds:F2} s, CER {score.Rate * 100:F2} %{(pdfa ? "" : " (no PDF/A confirmation in its log)")}");
                results.Add(new DocumentResult(doc, true, doc.TruthPages, score, null, seconds, 0, pdfa));
            }
            var (selfAfter, cpuAfter) = ProcessCpu(Environment.ProcessId);
            var other = OtherShare(MachineBusyCpu() - machineBefore, cpuAfter - cpuBefore + selfAfter - selfBefore, phase.Elapsed.TotalSeconds);
            return new ToolResult("OCRmyPDF", results, total, peakMain, peakTree, cpuAfter - cpuBefore, other);
        }
        finally
        {
            try { Directory.Delete(tmp, recursive: true); } catch (IOException) { }
        }
    }

    // ---------------------------------------------------------------- report

    private static void PrintPerDocument(IReadOnlyList<CorpusDocument> corpus, ToolResult? pipeline, ToolResult? ocrmypdf)
    {
        Console.WriteLine();
        Console.WriteLine("| document | pages | Pipeline done at (app time) | Pipeline Tesseract ms | Pipeline CER | OCRmyPDF s | OCRmyPDF CER |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        for (var i = 0; i < corpus.Count; i++)
        {
            var p = pipeline?.Documents[i];
            var o = ocrmypdf?.Documents[i];
            string Cer(DocumentResult? r) => r is null ? "–" : r.Ok ? $"{r.Score.Rate * 100:F2} %" : "error";
            Console.WriteLine($"| {corpus[i].Name} | {corpus[i].TruthPages} | {(p is null ? "–" : $"{p.Seconds:F1} s")} | " +
                $"{(p is null ? "–" : p.EngineMilliseconds.ToString())} | {Cer(p)} | {(o is null ? "–" : $"{o.Seconds:F2}")} | {Cer(o)} |");
        }
        foreach (var r in new[] { pipeline, ocrmypdf }.OfType<ToolResult>().SelectMany(t => t.Documents.Where(d => !d.Ok).Select(d => (t.Tool, d))))
            Console.WriteLine($"  error: {r.Tool} {r.d.Document.Name}: {r.d.Error}");
    }

    private void PrintSummary(ToolResult? pipeline, ToolResult? ocrmypdf, Overhead? overhead)
    {
        Console.WriteLine();
        Console.WriteLine($"Digitise benchmark, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, corpus {settings.Corpus}");
        Console.WriteLine("| tool | languages | documents | pages | seconds | pages/min | CER (corpus) | mean CER | peak RSS (process) | peak RSS (with tool children) | CPU s (with tools) | CPU s/page | other processes' CPU meanwhile |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var t in new[] { pipeline, ocrmypdf }.OfType<ToolResult>())
        {
            var languages = t.Tool == "Pipeline" ? settings.Languages : "vie";
            Console.WriteLine($"| {t.Tool} | {languages} | {t.Succeeded}{(t.Failed > 0 ? $" (+{t.Failed} failed)" : "")} | {t.Pages} | {t.Seconds:F1} | " +
                $"{t.PagesPerMinute:F1} | {t.Corpus.Rate * 100:F2} % ({t.Corpus.Edits}/{t.Corpus.ReferenceLength}) | {t.MeanCer * 100:F2} % | " +
                $"{t.PeakRssMb:F0} MB | {t.PeakTreeRssMb:F0} MB | {t.CpuSeconds:F1} | {(t.Pages > 0 ? t.CpuSeconds / t.Pages : 0):F2} | {t.OtherLoad * 100:F0} % of the machine |");
        }
        foreach (var t in new[] { pipeline, ocrmypdf }.OfType<ToolResult>().Where(t => t.OtherLoad > ToolResult.OtherLoadLimit))
            Console.WriteLine($"WARNING: other work used {t.OtherLoad * 100:F0} % of this machine's CPU while {t.Tool} ran (limit {ToolResult.OtherLoadLimit * 100:F0} %): " +
                $"its seconds, pages/min{(t.Tool == "Pipeline" ? ", Tesseract time and so the overhead %" : "")} are NOT valid. Rerun on a quiet machine.");
        Console.WriteLine();
        if (pipeline is not null && ocrmypdf is not null && ocrmypdf.PagesPerMinute > 0)
        {
            var ratio = pipeline.PagesPerMinute / ocrmypdf.PagesPerMinute;
            Console.WriteLine($"speed ratio Pipeline/OCRmyPDF = {ratio:F2} (goal ≥ 1.50: {(ratio >= 1.5 ? "met" : "NOT met")})");
            if (pipeline.Pages > 0 && ocrmypdf.Pages > 0 && pipeline.CpuSeconds > 0)
                Console.WriteLine($"  CPU per page OCRmyPDF/Pipeline = {ocrmypdf.CpuSeconds / ocrmypdf.Pages / (pipeline.CpuSeconds / pipeline.Pages):F2} " +
                    "(not the goal; insensitive to other load on the machine)");
            var cerMet = pipeline.Corpus.Rate <= ocrmypdf.Corpus.Rate;
            Console.WriteLine($"CER Pipeline {pipeline.Corpus.Rate * 100:F2} % vs OCRmyPDF {ocrmypdf.Corpus.Rate * 100:F2} % " +
                $"(corpus; mean per document {pipeline.MeanCer * 100:F2} % vs {ocrmypdf.MeanCer * 100:F2} %; goal equal or lower: {(cerMet ? "met" : "NOT met")})");
        }
        else if (ocrmypdf is not null)
        {
            Console.WriteLine($"OCRmyPDF alone: {ocrmypdf.PagesPerMinute:F1} pages/min, CER {ocrmypdf.Corpus.Rate * 100:F2} % (Pipeline skipped: no ratio)");
        }
        if (overhead is not null)
        {
            if (overhead.EngineMilliseconds > 0)
            {
                Console.WriteLine($"overhead = {overhead.CpuPercent:F1} % of Tesseract time (goal ≤ 5 %: {(overhead.CpuPercent <= 5 ? "met" : "NOT met")}) — " +
                    $"the goal's figure: app's own CPU (host + worker) {overhead.AppCpuSeconds:F2} s (orchestration engine, storage, HTTP; utime+stime, " +
                    $"not its tool children) / Tesseract time {overhead.EngineMilliseconds / 1000.0:F2} s (sum of digitisation.engineMilliseconds)");
                Console.WriteLine($"  second view, wall clock: ({overhead.ElapsedSeconds:F2} s × {overhead.Parallelism} − {overhead.EngineMilliseconds / 1000.0:F2} s) / " +
                    $"{overhead.EngineMilliseconds / 1000.0:F2} s = {overhead.WallPercent:F1} % (elapsed × min(cores, documents in flight); includes rasterising, " +
                    $"PDF/A and idle capacity, not only orchestration)");
                Console.WriteLine($"  third view, CPU only (insensitive to other load, which inflates Tesseract's wall time): app own CPU {overhead.AppCpuSeconds:F2} s / " +
                    $"CPU of all tools it ran (Tesseract, poppler, qpdf, Ghostscript; cutime+cstime) {overhead.ToolsCpuSeconds:F2} s = {overhead.ToolsCpuPercent:F1} % " +
                    "(a lower bound of app CPU / Tesseract CPU)");
            }
            else
            {
                Console.WriteLine($"overhead: not computed (no engineMilliseconds); app process's own CPU during the run {overhead.AppCpuSeconds:F2} s");
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>CPU seconds the whole machine has spent busy (all but idle and iowait) since boot, from /proc/stat.</summary>
    private static double MachineBusyCpu()
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        // user nice system idle iowait irq softirq steal (guest time is already counted in user)
        var busy = cpu.Take(8).Sum() - cpu[3] - cpu[4];
        return busy / 100.0; // USER_HZ
    }

    /// <summary>Share of the machine's CPU capacity over <paramref name="seconds"/> used by other processes than ours.</summary>
    private static double OtherShare(double machineBusy, double ours, double seconds) =>
        seconds > 0 ? Math.Max(0, machineBusy - ours) / (seconds * Environment.ProcessorCount) : 0;

    /// <summary>The 1-minute load average.</summary>

    /// <summary>Waits up to <paramref name="limit"/> for the 1-minute load average to drop below the core count.</summary>
    private static async Task WaitQuietAsync(TimeSpan limit)
    {
        if (limit <= TimeSpan.Zero) return;
        var waited = Stopwatch.StartNew();
        double Load() => double.Parse(MachineInfo.LoadAverage(), System.Globalization.CultureInfo.InvariantCulture);
        if (Load() < Environment.ProcessorCount) return;
        Console.WriteLine($"  waiting up to {limit.TotalMinutes:F0} min for the load average ({Load():F1}) to drop below {Environment.ProcessorCount}…");
        while (Load() >= Environment.ProcessorCount && waited.Elapsed < limit) await Task.Delay(5000);
        Console.WriteLine($"  load average {Load():F1} after {waited.Elapsed.TotalSeconds:F0} s");
    }

    private static void WarnIfBusy()
    {
        var load = double.Parse(MachineInfo.LoadAverage(), System.Globalization.CultureInfo.InvariantCulture);
        if (load > Environment.ProcessorCount)
            Console.WriteLine($"  WARNING: load average {load:F1} on {Environment.ProcessorCount} cores: other work is running on this machine, " +
                "so the wall-clock figures (pages/min, ratio) are not reliable; CPU s/page is.");
    }

    private static string Tail(string text, int lines)
    {
        var all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join("\n", all.Skip(Math.Max(0, all.Length - lines)));
    }

    /// <summary>
    /// Samples, every 200 ms, the resident set of a process and of it plus all its descendants (tools it runs),
    /// keeping the peaks. Light: one read of /proc/*/stat per sample.
    /// </summary>
    private sealed class RssSampler : IAsyncDisposable
    {
        private readonly int _root;
        private readonly CancellationTokenSource _stop = new();
        private Task _loop = Task.CompletedTask;
        private long _peakRootPages, _peakTreePages;
        private static readonly long PageSize = Environment.SystemPageSize;

        private RssSampler(int root) => _root = root;

        public double PeakRootMb => Interlocked.Read(ref _peakRootPages) * PageSize / 1048576.0;

        public static RssSampler Start(int root)
        {
            var sampler = new RssSampler(root);
            sampler._loop = Task.Run(sampler.LoopAsync);
            return sampler;
        }

        private async Task LoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                Sample();
                try { await Task.Delay(200, _stop.Token); } catch (OperationCanceledException) { break; }
            }
        }

        private void Sample()
        {
            // ppid and rss (pages) of every process; then the root's subtree.
            var parent = new Dictionary<int, int>();
            var rss = new Dictionary<int, long>();
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    parent[pid] = int.Parse(f[1]);   // field 4: ppid
                    rss[pid] = long.Parse(f[21]);     // field 24: rss in pages
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
                {
                    // exited meanwhile
                }
            }
            if (!rss.TryGetValue(_root, out var rootPages)) return;
            var children = parent.GroupBy(p => p.Value, p => p.Key).ToDictionary(g => g.Key, g => g.ToList());
            long tree = 0;
            var stack = new Stack<int>([_root]);
            while (stack.Count > 0)
            {
                var pid = stack.Pop();
                tree += rss.GetValueOrDefault(pid);
                if (children.TryGetValue(pid, out var kids)) foreach (var k in kids) stack.Push(k);
            }
            if (rootPages > _peakRootPages) Interlocked.Exchange(ref _peakRootPages, rootPages);
            if (tree > _peakTreePages) Interlocked.Exchange(ref _peakTreePages, tree);
        }

        /// <summary>Stops sampling; returns the peak of the process plus its descendants, in MB.</summary>
        public async Task<double> StopAsync()
        {
            if (!_stop.IsCancellationRequested)
            {
                Sample();
                _stop.Cancel();
                await _loop;
            }
            return Interlocked.Read(ref _peakTreePages) * PageSize / 1048576.0;
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
        }
    }
}
