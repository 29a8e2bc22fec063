using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Testing;

namespace Pipeline.Benchmarks;

/// <summary>
/// The durable engine benchmark, run against the real app over its HTTP API with the diagnostic
/// orchestrations, exactly as ops would check a deployment:
/// HelloSequence5 (diagnostics-chain, 5 activities) orchestrations per second, 10 000-activity fan-out
/// activities per second with peak RSS, and schedule-to-first-activity latency — on SQLite, and on
/// PostgreSQL with one and with two worker processes.
/// </summary>
internal sealed class DurableBenchmark(DurableBenchmark.Settings settings)
{
    public sealed record Settings(int Instances, int FanOut, int LatencySamples, IReadOnlyList<string> Stores);

    public sealed record Result(string Store, int Workers, double ChainsPerSecond, double FanOutActivitiesPerSecond, double FanOutPeakRssMb,
        double LatencyP50Ms, double LatencyP95Ms, double ThroughputPeakRssMb);

    public async Task<IReadOnlyList<Result>> RunAsync()
    {
        var results = new List<Result>();
        PostgresCluster? cluster = null;
        try
        {
            foreach (var store in settings.Stores)
            {
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

    private async Task<Result> RunScenarioAsync(string store, int workers, Func<Task<string?>> newDatabase)
    {
        Console.WriteLine($"--- {store}, {workers} worker process(es)");

        // Throughput and latency on one deployment; the fan-out on a fresh one so its peak RSS is its own.
        double chainsPerSecond, p50, p95, throughputRss;
        await using (var app = await AppDeployment.StartAsync(store, workers, await newDatabase()))
        {
            await RunChainsAsync(app, 2000); // warm-up: JIT tiering, connection pools, caches
            var sw = Stopwatch.StartNew();
            await RunChainsAsync(app, settings.Instances);
            chainsPerSecond = settings.Instances / sw.Elapsed.TotalSeconds;
            Console.WriteLine($"  HelloSequence5 x {settings.Instances}: {sw.Elapsed.TotalSeconds:F2} s -> {chainsPerSecond:F0} orchestrations/s " +
                $"(CPU: app {app.CpuSeconds():F1} s, benchmark client {Environment.CpuUsage.TotalTime.TotalSeconds:F1} s so far)");
            (p50, p95) = await MeasureLatencyAsync(app, settings.LatencySamples);
            Console.WriteLine($"  schedule -> first activity: p50 {p50:F2} ms, p95 {p95:F2} ms over {settings.LatencySamples} sequential starts");
            throughputRss = app.PeakRssMb();
        }

        double fanOutRate, fanOutRss;
        await using (var app = await AppDeployment.StartAsync(store, workers, await newDatabase()))
        {
            // Warm-up with a small fan-out: a cold process spends the first seconds compiling code.
            EnsureCompleted(await app.WaitForCompletionAsync(await app.StartAsync("diagnostics-fanout", new { activities = 1000 }), TimeSpan.FromMinutes(5)), 1000);
            var sw = Stopwatch.StartNew();
            var id = await app.StartAsync("diagnostics-fanout", new { activities = settings.FanOut });
            var status = await app.WaitForCompletionAsync(id, TimeSpan.FromMinutes(10));
            EnsureCompleted(status, settings.FanOut);
            fanOutRate = settings.FanOut / sw.Elapsed.TotalSeconds;
            fanOutRss = app.PeakRssMb();
            Console.WriteLine($"  fan-out x {settings.FanOut}: {sw.Elapsed.TotalSeconds:F2} s -> {fanOutRate:F0} activities/s, peak RSS {fanOutRss:F0} MB (sum over worker processes)");
        }
        return new Result(store, workers, chainsPerSecond, fanOutRate, fanOutRss, p50, p95, throughputRss);
    }

    private static async Task RunChainsAsync(AppDeployment app, int count)
    {
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
            // Both times come from the same clock in the app: when the instance was created, and when its
            // first activity had run (the result's timestamp is taken as the activity returns).
            var created = history.First(e => (string?)e!["eventType"] == "ExecutionStartedEvent")!["timestamp"]!.GetValue<DateTime>();
            var firstResult = history.First(e => (string?)e!["eventType"] == "TaskCompletedEvent")!["timestamp"]!.GetValue<DateTime>();
            latencies.Add((firstResult - created).TotalMilliseconds);
        }
        latencies.Sort();
        return (Percentile(latencies, 0.50), Percentile(latencies, 0.95));
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static void EnsureCompleted(JsonObject status, int expected)
    {
        if ((string?)status["runtimeStatus"] != "Completed" || status["output"]?["completed"]?.GetValue<int>() != expected)
            throw new InvalidOperationException($"Benchmark orchestration did not complete correctly: {status.ToJsonString()}");
    }

    /// <summary>One or more app processes sharing one store, started from the built Pipeline.Functions.dll.</summary>
    private sealed class AppDeployment : IAsyncDisposable
    {
        private readonly List<ChildProcess> _processes = [];
        private readonly string _workDir = Directory.CreateTempSubdirectory("pipeline-bench-").FullName;
        private HttpClient _http = null!;
        // Starts go to the processes in turn, as a load balancer in front of several instances would send them.
        private readonly List<HttpClient> _starters = [];
        private int _nextStarter;

        public static async Task<AppDeployment> StartAsync(string store, int workers, string? postgres)
        {
            var app = new AppDeployment();
            File.Copy(Path.Combine(RepoPaths.Root, "host.json"), Path.Combine(app._workDir, "host.json"));
            var dll = Path.Combine(RepoPaths.Root, "functions", "Pipeline.Functions", "bin", "Release", "net10.0", "Pipeline.Functions.dll");
            if (!File.Exists(dll)) throw new FileNotFoundException("Build the app first: dotnet build -c Release (the benchmark project does it).", dll);
            var dataDir = Path.Combine(app._workDir, "data");
            var urls = new List<string>();
            for (var i = 0; i < workers; i++)
            {
                var url = $"http://127.0.0.1:{FreePort()}";
                urls.Add(url);
                var env = new Dictionary<string, string?>
                {
                    ["PIPELINE_DATA"] = dataDir,
                    ["PIPELINE_DURABLE__STORE"] = store,
                    ["PIPELINE_DURABLE__POSTGRES"] = postgres,
                    ["ASPNETCORE_URLS"] = null,
                    ["Logging__LogLevel__Default"] = "Warning",
                };
                var process = ChildProcess.Start(dll, ["--urls", url], app._workDir, env);
                app._processes.Add(process);
                await process.WaitForOutputAsync("Pipeline listening on", TimeSpan.FromSeconds(60));
            }
            var key = await File.ReadAllTextAsync(Path.Combine(dataDir, "admin.key"));
            foreach (var url in urls)
            {
                var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(url) };
                client.DefaultRequestHeaders.Add("x-functions-key", key.Trim());
                app._starters.Add(client);
            }
            app._http = app._starters[0];
            return app;
        }

        public async Task<string> StartAsync(string orchestrator, object input)
        {
            var starter = _starters[(int)((uint)Interlocked.Increment(ref _nextStarter) % _starters.Count)];
            using var response = await starter.PostAsJsonAsync($"/api/orchestrators/{orchestrator}", input);
            if (response.StatusCode != HttpStatusCode.Accepted)
                throw new InvalidOperationException($"Start failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var body = await response.Content.ReadFromJsonAsync<JsonObject>();
            return (string)body!["id"]!;
        }

        public async Task<JsonObject> GetStatusAsync(string id, bool showHistory = false)
        {
            var body = await _http.GetFromJsonAsync<JsonObject>($"/runtime/webhooks/durabletask/instances/{id}?showHistory={(showHistory ? "true" : "false")}");
            return body!;
        }

        public async Task<JsonObject> WaitForCompletionAsync(string id, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            var waited = Stopwatch.StartNew();
            while (true)
            {
                var status = await GetStatusAsync(id);
                if ((string?)status["runtimeStatus"] is "Completed" or "Failed" or "Terminated") return status;
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"Instance {id} did not finish: {status.ToJsonString()}");
                // Poll tightly at first (short instances), then gently: polling is load on the app being measured.
                await Task.Delay(waited.ElapsedMilliseconds < 100 ? 1 : 20);
            }
        }

        public async Task<int> CountActiveAsync()
        {
            var list = await _http.GetFromJsonAsync<JsonArray>("/runtime/webhooks/durabletask/instances?runtimeStatus=Pending,Running&top=1");
            return list!.Count;
        }

        /// <summary>CPU time (user + system) the app processes have used so far.</summary>
        public double CpuSeconds() => _processes.Sum(p =>
        {
            var fields = File.ReadAllText($"/proc/{p.Id}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0; // utime, stime in clock ticks (USER_HZ = 100)
        });

        /// <summary>Sum of the processes' peak resident set sizes (VmHWM), in MB.</summary>
        public double PeakRssMb() => _processes.Sum(p => ReadVmHwmKb(p.Id)) / 1024.0;

        private static long ReadVmHwmKb(int pid)
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        }

        private static int FreePort()
        {
            var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in _starters) client.Dispose();
            foreach (var p in _processes) await p.DisposeAsync();
            try { Directory.Delete(_workDir, recursive: true); } catch (IOException) { }
        }
    }
}
