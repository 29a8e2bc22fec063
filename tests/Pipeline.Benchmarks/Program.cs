using Pipeline.Benchmarks;
using Pipeline.Testing;

// Benchmarks are separate from the tests: they print figures, they do not pass or fail.
//   dotnet run -c Release --project tests/Pipeline.Benchmarks -- durable [--instances 2000] [--warm-up 2000] [--fanout 10000] [--latency 200] [--stores sqlite,postgres,azureStorage]
//   (every benchmark that runs the app starts our host with `--app functions/Pipeline.Functions/bin/Release/net10.0`: see HostedApp.cs)
//   dotnet run -c Release --project tests/Pipeline.Benchmarks -- digitise [--corpus DIR] [--languages vie+eng] [--skip-ocrmypdf] [--skip-pipeline]
//                                                                         [--files-per-request 1] [--timeout-minutes 30] [--wait-quiet MINUTES]
//   (--wait-quiet: before each half, wait up to that long (default 5, 0 = not at all) for the load average to drop below the core count;
//    --warm-up: digitise one unrelated scan before the timed batch — not the figure, which is a fresh app)
//   dotnet run -c Release --project tests/Pipeline.Benchmarks -- extraction [--corpus DIR] [--threshold 0.9] [--timeout-minutes 30] [-v]
//   dotnet run -c Release --project tests/Pipeline.Benchmarks -- approvals [--decisions 500] [--steps 20] [--warm-up 10] [--concurrency 8] [--wait-quiet 5]
//   dotnet run -c Release --project tests/Pipeline.Benchmarks -- pack [--documents 40] [--pages 10] [--runs 5] [--corpus DIR]
var command = args.FirstOrDefault();
if (command is not ("durable" or "digitise" or "extraction" or "approvals" or "pack"))
{
    Console.Error.WriteLine("usage: Pipeline.Benchmarks durable [--instances N] [--warm-up N] [--fanout N] [--latency N] [--stores sqlite,postgres,azureStorage]");
    Console.Error.WriteLine("       Pipeline.Benchmarks digitise [--corpus DIR] [--languages vie+eng] [--skip-ocrmypdf] [--skip-pipeline] [--files-per-request N] [--timeout-minutes N] [--wait-quiet MINUTES] [--warm-up]");
    Console.Error.WriteLine("       Pipeline.Benchmarks extraction [--corpus DIR] [--threshold 0.9] [--timeout-minutes N] [-v]");
    Console.Error.WriteLine("       Pipeline.Benchmarks approvals [--decisions 500] [--steps 20] [--warm-up 10] [--concurrency 8 (1 = sequential only)] [--wait-quiet MINUTES]");
    Console.Error.WriteLine("       Pipeline.Benchmarks pack [--documents 40] [--pages 10] [--runs 5] [--corpus DIR]");
    return 2;
}

string Option(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

if (command == "digitise")
{
    // Pipeline against OCRmyPDF 14 on the vn-official corpus: pages/minute, CER, overhead. See DigitiseBenchmark.cs.
    var digitise = new DigitiseBenchmark.Settings(
        Corpus: Path.GetFullPath(Option("--corpus", RepoPaths.CorpusPath("vn-official"))),
        Languages: Option("--languages", "vie+eng"),
        SkipPipeline: args.Contains("--skip-pipeline"),
        SkipOcrmypdf: args.Contains("--skip-ocrmypdf"),
        FilesPerRequest: Math.Max(1, int.Parse(Option("--files-per-request", "1"))),
        Timeout: TimeSpan.FromMinutes(double.Parse(Option("--timeout-minutes", "30"), System.Globalization.CultureInfo.InvariantCulture)),
        WaitQuiet: TimeSpan.FromMinutes(double.Parse(Option("--wait-quiet", "5"), System.Globalization.CultureInfo.InvariantCulture)),
        WarmUp: args.Contains("--warm-up"));
    Console.WriteLine($"Digitise benchmark on {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    return await new DigitiseBenchmark(digitise).RunAsync();
}

if (command == "extraction")
{
    // Field extraction accuracy of the whole pipeline against truth.json on the vn-official corpus. See ExtractionBenchmark.cs.
    var extraction = new ExtractionBenchmark.Settings(
        Corpus: Path.GetFullPath(Option("--corpus", RepoPaths.CorpusPath("vn-official"))),
        Threshold: double.Parse(Option("--threshold", "0.9"), System.Globalization.CultureInfo.InvariantCulture),
        Verbose: args.Contains("-v") || args.Contains("--verbose"),
        Timeout: TimeSpan.FromMinutes(double.Parse(Option("--timeout-minutes", "30"), System.Globalization.CultureInfo.InvariantCulture)));
    Console.WriteLine($"Extraction benchmark on {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    return await new ExtractionBenchmark(extraction).RunAsync();
}

if (command == "approvals")
{
    // Decision POST → next step's emails written, on the embedded default. See Approvals/ApprovalsBenchmark.cs.
    var approvals = new Pipeline.Benchmarks.Approvals.ApprovalsBenchmark.Settings(
        Decisions: Math.Max(1, int.Parse(Option("--decisions", "500"))),
        Steps: Math.Clamp(int.Parse(Option("--steps", "20")), 2, 20),
        WarmUp: Math.Max(0, int.Parse(Option("--warm-up", "10"))),
        Concurrency: Math.Max(1, int.Parse(Option("--concurrency", "8"))),
        Timeout: TimeSpan.FromSeconds(30),
        WaitQuiet: TimeSpan.FromMinutes(double.Parse(Option("--wait-quiet", "5"), System.Globalization.CultureInfo.InvariantCulture)));
    Console.WriteLine($"Approvals benchmark on {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    return await new Pipeline.Benchmarks.Approvals.ApprovalsBenchmark(approvals).RunAsync();
}

if (command == "pack")
{
    // Meeting pack from stored archive PDFs against `qpdf --empty --pages` on the same files. See Pack/PackBenchmark.cs.
    var pack = new Pipeline.Benchmarks.Pack.PackBenchmark.Settings(
        Corpus: Path.GetFullPath(Option("--corpus", RepoPaths.CorpusPath("vn-official"))),
        Documents: Math.Max(1, int.Parse(Option("--documents", "40"))),
        Pages: Math.Max(1, int.Parse(Option("--pages", "10"))),
        Runs: Math.Max(1, int.Parse(Option("--runs", "5"))));
    Console.WriteLine($"Pack benchmark on {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    return await new Pipeline.Benchmarks.Pack.PackBenchmark(pack).RunAsync();
}

var settings = new DurableBenchmark.Settings(
    Instances: int.Parse(Option("--instances", "2000")),
    FanOut: int.Parse(Option("--fanout", "10000")),
    LatencySamples: int.Parse(Option("--latency", "200")),
    Stores: Option("--stores", "sqlite,postgres,azureStorage").Split(',', StringSplitOptions.RemoveEmptyEntries),
    WarmUp: Math.Max(0, int.Parse(Option("--warm-up", "2000"))));

Console.WriteLine($"Durable benchmark (host + isolated worker, over HTTP) on {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
var results = await new DurableBenchmark(settings).RunAsync();

Console.WriteLine();
Console.WriteLine("| store | instances (host + worker) | HelloSequence5 orchestrations/s | fan-out activities/s | fan-out peak RSS (host + worker) | first-activity latency p50 / p95 |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var r in results)
    Console.WriteLine($"| {r.Store} | {r.Workers} | {r.ChainsPerSecond:F0} | {r.FanOutActivitiesPerSecond:F0} | {r.FanOutPeakRssMb:F0} MB | {r.LatencyP50Ms:F1} / {r.LatencyP95Ms:F1} ms |");
AzureStorageBaseline.PrintRatios(results);
Console.WriteLine();
Console.WriteLine("Targets (issue 11): >= 300 HelloSequence5/s and >= 2000 fan-out activities/s on SQLite, host + worker peak RSS < 400 MB.");
return 0;
