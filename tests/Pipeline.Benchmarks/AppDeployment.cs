using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Pipeline.Testing;

namespace Pipeline.Benchmarks;

/// <summary>
/// One or more app processes sharing one store, started from the built Pipeline.Functions.dll in a fresh
/// temporary working directory (its own host.json copy and data dir), each on a free loopback port.
/// Shared by the durable and digitise benchmarks.
/// </summary>
internal sealed class AppDeployment : IAsyncDisposable
{
    private readonly List<ChildProcess> _processes = [];
    private readonly string _workDir = Directory.CreateTempSubdirectory("pipeline-bench-").FullName;
    private HttpClient _http = null!;
    // Starts go to the processes in turn, as a load balancer in front of several instances would send them.
    private readonly List<HttpClient> _starters = [];
    private int _nextStarter;

    /// <summary>The first process's client: base address set, admin key in <c>x-functions-key</c>.</summary>
    public HttpClient Http => _http;

    /// <summary>The app processes' ids (for reading /proc).</summary>
    public IReadOnlyList<int> ProcessIds => _processes.Select(p => p.Id).ToList();

    /// <summary>The data directory the processes share (PIPELINE_DATA).</summary>
    public string DataDir => Path.Combine(_workDir, "data");

    /// <summary>Everything the first process wrote to stdout/stderr so far (for error reports).</summary>
    public string Output => _processes.Count > 0 ? _processes[0].Output : "";

    public static async Task<AppDeployment> StartAsync(string store, int workers, string? postgres)
    {
        var app = new AppDeployment();
        try
        {
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
        catch
        {
            // A process that did not start: stop the ones that did and remove the work directory.
            await app.DisposeAsync();
            throw;
        }
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

    /// <summary>A TCP port free on loopback right now.</summary>
    internal static int FreePort()
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
