using System.Globalization;
using Pipeline.Functions.Meetings;
using static Pipeline.Functions.Tests.Meetings.Pack.PackFixtures;

namespace Pipeline.Functions.Tests.Meetings.Pack;

public sealed class MeetingPackMemoryTests : IDisposable
{
    private const long LimitBytes = 300L << 20; // the goal for building a 400-page pack
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-pack-memory-").FullName;

    public void Dispose() => PipelineApp.DeleteDirectory(_dir);

    [CorpusFact]
    public async Task A_pack_of_40_documents_and_400_pages_builds_with_bounded_memory()
    {
        var items = new List<PackItem>();
        for (var n = 1; n <= 40; n++)
            items.Add(new PackItem(n, $"Nội dung {n}", null, [new PackDocument($"Tài liệu {n}", await TenPageScanAsync(n), 10)]));
        var plan = new PackPlan("Kỳ họp thường lệ", new DateTimeOffset(2026, 12, 15, 1, 0, 0, TimeSpan.Zero), null, null, 1, items);
        var pack = Path.Combine(_dir, "pack.pdf");
        var work = Path.Combine(_dir, "work");
        var managedBefore = GC.GetTotalMemory(forceFullCollection: true);

        var (layout, qpdfPeak) = await BuildMeasuringQpdfAsync(plan, pack, work);

        var managedGrowth = GC.GetTotalMemory(forceFullCollection: true) - managedBefore;
        Assert.Equal(layout.FrontPages + 40 + 400, await PageCountAsync(pack));
        Assert.Equal(41, (await OutlinesAsync(pack)).Count);
        Assert.True(qpdfPeak is > 0 and < LimitBytes, $"qpdf peaked at {qpdfPeak >> 20} MB");
        Assert.True(managedGrowth < 50L << 20, $"the test process kept {managedGrowth >> 20} MB more after the build");
        Assert.True(new FileInfo(pack).Length > 10L << 20); // the scans really are in it
    }

    /// <summary>
    /// Builds a watermarked copy (the larger overlay) and returns qpdf's peak resident set: exact from
    /// <c>/usr/bin/time</c> (Debian package "time") when installed, otherwise sampled from /proc every few ms.
    /// </summary>
    private static async Task<(PackLayout Layout, long PeakBytes)> BuildMeasuringQpdfAsync(PackPlan plan, string pack, string work)
    {
        const string Watermark = "Nguyễn Văn An — bản 1";
        if (File.Exists("/usr/bin/time"))
        {
            var rss = Path.Combine(Path.GetDirectoryName(pack)!, "qpdf-rss.txt");
            var layout = await MeetingPackBuilder.BuildAsync(plan, pack, Watermark, work,
                ["/usr/bin/time", "-f", "%M", "-o", rss, "qpdf"], CancellationToken.None);
            // -f %M: the peak resident set of the child, in KiB.
            return (layout, long.Parse(File.ReadAllText(rss).Trim().Split('\n')[^1], CultureInfo.InvariantCulture) * 1024);
        }
        using var stop = new CancellationTokenSource();
        var sampling = SamplePeakAsync(work, stop.Token); // qpdf's arguments name files under the work directory
        var built = await MeetingPackBuilder.BuildAsync(plan, pack, Watermark, work, CancellationToken.None);
        await stop.CancelAsync();
        return (built, await sampling);
    }

    /// <summary>The largest VmHWM of any qpdf process whose command line contains <paramref name="marker"/>.</summary>
    private static async Task<long> SamplePeakAsync(string marker, CancellationToken stop)
    {
        long peak = 0;
        while (!stop.IsCancellationRequested)
        {
            foreach (var process in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(process), out _)) continue;
                try
                {
                    var command = await File.ReadAllTextAsync(Path.Combine(process, "cmdline"));
                    if (Path.GetFileName(command.Split('\0')[0]) != "qpdf" || !command.Contains(marker, StringComparison.Ordinal)) continue;
                    var hwm = File.ReadLines(Path.Combine(process, "status")).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                    if (hwm is not null) peak = Math.Max(peak, long.Parse(hwm.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024);
                }
                catch (IOException) { } // the process ended between listing and reading
                catch (UnauthorizedAccessException) { }
            }
            await Task.Delay(5, CancellationToken.None);
        }
        return peak;
    }

    /// <summary>Document <paramref name="n"/>: ten pages of corpus scans (whole scans from the n-th on, the last one cut).</summary>
    private async Task<string> TenPageScanAsync(int n)
    {
        var scans = await CorpusScansAsync();
        var arguments = new List<string> { "--empty", "--pages" };
        for (int i = n, pages = 0; pages < 10; i++)
        {
            var (scan, count) = scans[i % scans.Count];
            var take = Math.Min(count, 10 - pages);
            arguments.AddRange([scan, "1-" + Number(take)]);
            pages += take;
        }
        var path = Path.Combine(_dir, $"doc{n:D2}.pdf");
        await ToolAsync("qpdf", [.. arguments, "--", path]);
        return path;
    }

    private static readonly SemaphoreSlim ScansGate = new(1);
    private static List<(string Scan, int Pages)>? _scans;

    private static async Task<List<(string Scan, int Pages)>> CorpusScansAsync()
    {
        await ScansGate.WaitAsync();
        try
        {
            if (_scans is not null) return _scans;
            var scans = Directory.GetDirectories(Pipeline.Testing.RepoPaths.CorpusPath("vn-official")).Order(StringComparer.Ordinal)
                .Select(d => Path.Combine(d, "scan.pdf")).Where(File.Exists).ToList();
            var list = new List<(string, int)>();
            foreach (var scan in scans) list.Add((scan, int.Parse((await ToolAsync("qpdf", "--show-npages", scan)).Trim(), CultureInfo.InvariantCulture)));
            return _scans = list;
        }
        finally { ScansGate.Release(); }
    }
}
