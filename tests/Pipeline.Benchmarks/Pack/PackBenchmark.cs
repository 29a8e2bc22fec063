using System.Diagnostics;
using System.Globalization;

namespace Pipeline.Benchmarks.Pack;

/// <summary>
/// Time and peak memory to build a meeting pack from stored archive PDFs, against qpdf merging the same files
/// (<c>qpdf --empty --pages f1 … fn -- out.pdf</c>) in the same run: the floor for binding those pages at all. The
/// runs alternate (baseline, baseline with the builder's malloc setting, master copy, watermarked copy), so a change in
/// the machine's load hits them all alike.
/// Every qpdf runs under <c>/usr/bin/time</c>, which gives its peak resident set and its own elapsed time.
/// </summary>
internal sealed class PackBenchmark(PackBenchmark.Settings settings)
{
    public sealed record Settings(string Corpus, int Documents, int Pages, int Runs);

    /// <summary>The issue's goals: within 1.5× of qpdf's time, under 300 MB resident.</summary>
    private const double GoalRatio = 1.5;
    private const long GoalRssBytes = 300L << 20;

    private const string Watermark = "Nguyễn Văn An — bản 1";

    /// <summary>The malloc setting MeetingPackBuilder gives its qpdf (see QpdfEnvironment there); the baseline is also
    /// timed with it, so the table shows how much of the difference is that setting and how much the pack's work.</summary>
    private const string QpdfTunables = "GLIBC_TUNABLES=glibc.malloc.top_pad=16777216";

    /// <summary>One build: wall time as the caller sees it, and qpdf's own elapsed time and peak RSS.</summary>
    private readonly record struct Sample(double Seconds, double QpdfSeconds, long QpdfPeakBytes);

    public async Task<int> RunAsync()
    {
        MachineInfo.Print();
        await BenchmarkCorpus.InstallDependenciesAsync("--runtime", "time");
        Console.WriteLine($"  {(await BenchmarkCorpus.RunToolAsync("qpdf", ["--version"], null)).Output.Split('\n')[0]}");
        var dir = Directory.CreateTempSubdirectory("pipeline-pack-bench-").FullName;
        try
        {
            var clock = Stopwatch.StartNew();
            var documents = await BenchArchives.MakeAsync(settings.Corpus, settings.Documents, settings.Pages, dir);
            var inputMb = documents.Sum(d => new FileInfo(d.PdfPath).Length) / 1048576.0;
            Console.WriteLine($"  {documents.Count} archive PDFs × {settings.Pages} pages, scan + OCR text layer, {inputMb:F0} MB, made in {clock.Elapsed.TotalSeconds:F0} s");
            var builder = AppPackBuilder.Load();
            var (baselinePdf, masterPdf, copyPdf) = (Path.Combine(dir, "baseline.pdf"), Path.Combine(dir, "master.pdf"), Path.Combine(dir, "copy.pdf"));

            // Warm-up, not counted: JIT, the fonts, and the documents into the page cache.
            await BaselineAsync(documents, baselinePdf, dir);
            var pages = await builder.BuildAsync(documents, masterPdf, null, Path.Combine(dir, "work"), Qpdf(dir));
            await builder.BuildAsync(documents, copyPdf, Watermark, Path.Combine(dir, "work"), Qpdf(dir));
            Console.WriteLine($"  pack: {pages} pages (cover + {documents.Count} dividers + {documents.Count * settings.Pages} document pages), " +
                $"{new FileInfo(masterPdf).Length / 1048576.0:F0} MB; baseline {new FileInfo(baselinePdf).Length / 1048576.0:F0} MB");

            var (baseline, tuned, master, copy) = (new List<Sample>(), new List<Sample>(), new List<Sample>(), new List<Sample>());
            for (var run = 1; run <= settings.Runs; run++)
            {
                baseline.Add(await BaselineAsync(documents, baselinePdf, dir));
                tuned.Add(await BaselineAsync(documents, baselinePdf, dir, QpdfTunables));
                master.Add(await PackAsync(builder, documents, masterPdf, null, dir));
                copy.Add(await PackAsync(builder, documents, copyPdf, Watermark, dir));
                Console.WriteLine($"  run {run}: baseline {baseline[^1].Seconds:F2} s (malloc setting {tuned[^1].Seconds:F2} s), master {master[^1].Seconds:F2} s, watermarked {copy[^1].Seconds:F2} s (load average {MachineInfo.LoadAverage()})");
            }
            Print(baseline, tuned, master, copy);
            return 0;
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private void Print(List<Sample> baseline, List<Sample> tuned, List<Sample> master, List<Sample> copy)
    {
        var selfPeak = ProcessPeakBytes();
        Console.WriteLine();
        Console.WriteLine($"| {settings.Documents} documents × {settings.Pages} pages, {settings.Runs} runs | median | min | qpdf's own time (median) | qpdf peak RSS |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var (name, samples) in new[] { ("`qpdf --empty --pages … -- out.pdf` (baseline)", baseline),
                     ("the same with the builder's malloc setting", tuned), ("MeetingPackBuilder, master copy", master),
                     ("MeetingPackBuilder, watermarked copy", copy) })
            Console.WriteLine($"| {name} | {Median(samples, s => s.Seconds):F2} s | {samples.Min(s => s.Seconds):F2} s | " +
                $"{Median(samples, s => s.QpdfSeconds):F2} s | {samples.Max(s => s.QpdfPeakBytes) / 1048576.0:F0} MB |");
        Console.WriteLine($"  this process (benchmark + builder, .NET runtime included): peak RSS {selfPeak / 1048576.0:F0} MB, managed heap {GC.GetTotalMemory(true) / 1048576.0:F0} MB");

        var ratio = Median(master, s => s.Seconds) / Median(baseline, s => s.Seconds);
        var minRatio = master.Min(s => s.Seconds) / baseline.Min(s => s.Seconds);
        var copyRatio = Median(copy, s => s.Seconds) / Median(baseline, s => s.Seconds);
        Console.WriteLine($"  ratio pack / baseline: master {ratio:F2}× (min/min {minRatio:F2}×), watermarked {copyRatio:F2}×; " +
            $"master / baseline with the same malloc setting {Median(master, s => s.Seconds) / Median(tuned, s => s.Seconds):F2}×");
        var rss = Math.Max(selfPeak, master.Concat(copy).Max(s => s.QpdfPeakBytes));
        Console.WriteLine();
        Console.WriteLine($"goal within {GoalRatio}× of qpdf (master copy, medians): {(ratio <= GoalRatio ? "met" : "NOT met")} ({ratio:F2}×)");
        Console.WriteLine($"goal < {GoalRssBytes >> 20} MB RSS (qpdf child and this process): {(rss < GoalRssBytes ? "met" : "NOT met")} ({rss / 1048576.0:F0} MB)");
        if (double.Parse(MachineInfo.LoadAverage(), CultureInfo.InvariantCulture) >= Environment.ProcessorCount)
            Console.WriteLine($"WARNING: load average {MachineInfo.LoadAverage()} on {Environment.ProcessorCount} cores: other work shared the machine; rerun on a quiet one.");
    }

    private static async Task<Sample> BaselineAsync(IReadOnlyList<BenchDocument> documents, string output, string dir, string? environment = null)
    {
        string[] command = environment is null ? Qpdf(dir) : ["/usr/bin/env", environment, .. Qpdf(dir)];
        var clock = Stopwatch.StartNew();
        var (exit, text) = await BenchmarkCorpus.RunToolAsync(command[0], [.. command.Skip(1), "--empty", "--pages", .. documents.Select(d => d.PdfPath), "--", output], null);
        clock.Stop();
        if (exit is not (0 or 3)) throw new InvalidOperationException($"qpdf failed ({exit}): {text}");
        return Measured(clock.Elapsed.TotalSeconds, dir);
    }

    private static async Task<Sample> PackAsync(AppPackBuilder builder, IReadOnlyList<BenchDocument> documents, string output, string? watermark, string dir)
    {
        var clock = Stopwatch.StartNew();
        await builder.BuildAsync(documents, output, watermark, Path.Combine(dir, "work"), Qpdf(dir));
        clock.Stop();
        return Measured(clock.Elapsed.TotalSeconds, dir);
    }

    /// <summary>qpdf under GNU time, which writes "elapsed-seconds peak-KiB" to a file (not to qpdf's stderr).</summary>
    private static string[] Qpdf(string dir) => ["/usr/bin/time", "-f", "%e %M", "-o", Path.Combine(dir, "qpdf-time.txt"), "qpdf"];

    private static Sample Measured(double seconds, string dir)
    {
        var fields = File.ReadAllText(Path.Combine(dir, "qpdf-time.txt")).Trim().Split('\n')[^1].Split(' ');
        return new Sample(seconds, double.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[1], CultureInfo.InvariantCulture) * 1024);
    }

    private static double Median(List<Sample> samples, Func<Sample, double> pick)
    {
        var sorted = samples.Select(pick).Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>This process's peak resident set (VmHWM), from /proc.</summary>
    private static long ProcessPeakBytes() => long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}
