using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Testing;

namespace Pipeline.Benchmarks;

/// <summary>
/// The durable benchmark, run against the real app as production runs it — our Functions host with the app as its
/// worker (<see cref="HostedApp"/>) — over the host's HTTP API (<c>POST /api/orchestrators/{name}</c>, the
/// management API) with the diagnostic orchestrations, exactly as ops would check a deployment:
/// HelloSequence5 (diagnostics-chain, 5 activities) orchestrations per second, 10 000-activity fan-out
/// (diagnostics-fanout) activities per second with peak RSS of host + worker, and schedule-to-first-activity
/// latency — on SQLite, and on PostgreSQL with one and with two host instances (each host + its worker), and on the
/// <c>azureStorage</c> baseline (Microsoft's engine on Azurite, smaller counts: see <see cref="AzureStorageBaseline"/>).
/// </summary>
internal sealed class DurableBenchmark(DurableBenchmark.Settings settings)
{
    public sealed record Settings(int Instances, int FanOut, int LatencySamples, IReadOnlyList<string> Stores, int WarmUp = 2000);

    public sealed record Result(string Store, int Workers, double ChainsPerSecond, double FanOutActivitiesPerSecond, double FanOutPeakRssMb,
        double LatencyP50Ms, double LatencyP95Ms, double ThroughputPeakRssMb);

    public async Task<IReadOnlyList<Result>> RunAsync()
    {
        var results = new List<Result>();
        Console.WriteLine($"  host {HostedApp.HostDllPath}\n  --app {HostedApp.AppDirectory}");
        PostgresCluster? cluster = null;
        try
        {
            foreach (var store in settings.Stores)
            {
                if (store == "azureStorage")
                {
                    results.Add(await AzureStorageBaseline.RunAsync(settings, (scaled, newConnection) => new DurableBenchmark(scaled).RunScenarioAsync(store, 1, newConnection)));
                    continue;
                }
                if (store == "sqlite")
                {
                    results.Add(await RunScenarioAsync("sqlite", 1, () => Task.FromResult<string?>(null)));
                    continue;
                }
                cluster ??= await PostgresCluster.StartAsync();
                foreach (var workers in new[] { 1, 2 })
                {
                    var n = 0;
                    var c = cluster;
                    results.Add(await RunScenarioAsync("postgres", workers, async () => await c.CreateDatabaseAsync($"bench_{workers}_{++n}_{Environment.ProcessId}")));
                }
            }
        }
        finally
        {
            if (cluster is not null) await cluster.DisposeAsync();
        }
        return results;
    }

    internal async Task<Result> RunScenarioAsync(string store, int workers, Func<Task<string?>> newDatabase)
    {
        Console.WriteLine($"--- {store}, {workers} instance(s) (host + worker each)");

        // Throughput and latency on one deployment; the fan-out on a fresh one so its peak RSS is its own.
        double chainsPerSecond, p50, p95, throughputRss;
        await using (var app = await AppDeployment.StartAsync(store, workers, await newDatabase()))
        {
            Console.WriteLine($"  pids (host, worker): {string.Join("; ", app.Instances.Select(i => $"{i.Host.Id}, {i.WorkerProcessId}"))}");
            await RunChainsAsync(app, settings.WarmUp); // warm-up: JIT tiering, connection pools, caches
            var cpuBefore = app.CpuSeconds();
            var sw = Stopwatch.StartNew();
            await RunChainsAsync(app, settings.Instances);
            chainsPerSecond = settings.Instances / sw.Elapsed.TotalSeconds;
            Console.WriteLine($"  HelloSequence5 x {settings.Instances}: {sw.Elapsed.TotalSeconds:F2} s -> {chainsPerSecond:F0} orchestrations/s " +
                $"(CPU: host + worker {app.CpuSeconds():F1} s, of which this run {app.CpuSeconds() - cpuBefore:F1} s, benchmark client {Environment.CpuUsage.TotalTime.TotalSeconds:F1} s so far)");
            (p50, p95) = await MeasureLatencyAsync(app, settings.LatencySamples);
            Console.WriteLine($"  schedule -> first activity: p50 {p50:F2} ms, p95 {p95:F2} ms over {settings.LatencySamples} sequential starts");
            throughputRss = app.PeakRssMb();
            await app.EnsureSameWorkersAsync();
            Console.WriteLine($"  peak RSS host + worker: {throughputRss:F0} MB ({string.Join(", ", app.Instances.Select(i => $"host {HostedApp.ReadStatusKb(i.Host.Id, "VmHWM:") / 1024.0:F0} MB + worker {HostedApp.ReadStatusKb(i.WorkerProcessId, "VmHWM:") / 1024.0:F0} MB"))})");
        }

        double fanOutRate, fanOutRss;
        await using (var app = await AppDeployment.StartAsync(store, workers, await newDatabase()))
        {
            // Warm-up with a small fan-out: a cold process spends the first seconds compiling code.
            var warmUpFanOut = Math.Min(1000, settings.FanOut);
            EnsureCompleted(await app.WaitForCompletionAsync(await app.StartAsync("diagnostics-fanout", new { activities = warmUpFanOut }), TimeSpan.FromMinutes(5)), warmUpFanOut);
            Console.WriteLine($"    (warmed up with a {warmUpFanOut}-activity fan-out; measuring {settings.FanOut})");
            var cpuBefore = app.CpuSeconds();
            var sw = Stopwatch.StartNew();
            var id = await app.StartAsync("diagnostics-fanout", new { activities = settings.FanOut });
            var status = await app.WaitForCompletionAsync(id, TimeSpan.FromMinutes(10));
            EnsureCompleted(status, settings.FanOut);
            fanOutRate = settings.FanOut / sw.Elapsed.TotalSeconds;
            fanOutRss = app.PeakRssMb();
            await app.EnsureSameWorkersAsync();
            Console.WriteLine($"  fan-out x {settings.FanOut}: {sw.Elapsed.TotalSeconds:F2} s -> {fanOutRate:F0} activities/s (CPU host + worker {app.CpuSeconds() - cpuBefore:F1} s), peak RSS {fanOutRss:F0} MB " +
                $"(VmHWM of host + worker, summed over instances: {string.Join(", ", app.Instances.Select(i => $"host {HostedApp.ReadStatusKb(i.Host.Id, "VmHWM:") / 1024.0:F0} MB + worker {HostedApp.ReadStatusKb(i.WorkerProcessId, "VmHWM:") / 1024.0:F0} MB"))})");
        }
        return new Result(store, workers, chainsPerSecond, fanOutRate, fanOutRss, p50, p95, throughputRss);
    }

    private static async Task RunChainsAsync(AppDeployment app, int count)
    {
        if (count == 0) return;
        // Start them all (a few requests in flight at a time, like a busy integrator), then wait for the last.
        var ids = new string[count];
        var started = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, _) => ids[i] = await app.StartAsync("diagnostics-chain", new { activities = 5 }));
        Console.WriteLine($"    (all {count} started after {started.Elapsed.TotalSeconds:F2} s)");
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (await app.CountActiveAsync() > 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Chains did not finish within 10 minutes.");
            await Task.Delay(100);
        }
        foreach (var id in new[] { ids[0], ids[^1] }) EnsureCompleted(await app.GetStatusAsync(id), 5);
    }

    private static async Task<(double P50, double P95)> MeasureLatencyAsync(AppDeployment app, int samples)
    {
        var latencies = new List<double>(samples);
        for (var i = 0; i < samples; i++)
        {
            var id = await app.StartAsync("diagnostics-chain", new { activities = 1 });
            await app.WaitForCompletionAsync(id, TimeSpan.FromSeconds(30));
            var history = (await app.GetStatusAsync(id, showHistory: true))["historyEvents"]!.AsArray();
            // Both times come from the same clock (the host's durable store): when the instance was created, and when its
            // first activity had run (the result's timestamp is taken as the activity returns).
            // (eventType is "ExecutionStarted"/"TaskCompleted" on the host, as in Durable Functions.)
            var created = history.First(e => ((string?)e!["eventType"])?.StartsWith("ExecutionStarted", StringComparison.Ordinal) == true)!["timestamp"]!.GetValue<DateTime>();
            var firstResult = history.First(e => ((string?)e!["eventType"])?.StartsWith("TaskCompleted", StringComparison.Ordinal) == true)!["timestamp"]!.GetValue<DateTime>();
            latencies.Add((firstResult - created).TotalMilliseconds);
        }
        latencies.Sort();
        return (Percentile(latencies, 0.50), Percentile(latencies, 0.95));
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static void EnsureCompleted(JsonObject status, int expected)
    {
        if ((string?)status["runtimeStatus"] != "Completed" || status["output"]?["completed"]?.GetValue<int>() != expected)
            throw new InvalidOperationException($"Benchmark orchestration did not complete correctly: {status.ToJsonString()}");
    }
}
