using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Pipeline.Testing;

namespace Pipeline.Benchmarks;

/// <summary>
/// One or more instances of the app sharing one store, each our Functions host with the app as its worker
/// (<see cref="HostedApp"/>), in a fresh temporary working directory (its own host.json copy and data dir), each host
/// on a free loopback port. Shared by the durable, digitise and extraction benchmarks.
/// </summary>
internal sealed class AppDeployment : IAsyncDisposable
{
    private readonly List<HostedApp> _instances = [];
    private readonly string _workDir = Directory.CreateTempSubdirectory("pipeline-bench-").FullName;
    private HttpClient _http = null!;
    // Starts go to the instances in turn, as a load balancer in front of several instances would send them.
    private readonly List<HttpClient> _starters = [];
    private int _nextStarter;

    /// <summary>The first instance's client: base address set, master key in <c>x-functions-key</c>.</summary>
    public HttpClient Http => _http;

    /// <summary>The running instances (host + worker each).</summary>
    public IReadOnlyList<HostedApp> Instances => _instances;

    /// <summary>Every host's and every worker's process id (for reading /proc).</summary>
    public IReadOnlyList<int> ProcessIds => _instances.SelectMany(i => i.ProcessIds).ToList();

    /// <summary>The data directory the instances share (PIPELINE_DATA).</summary>
    public string DataDir => Path.Combine(_workDir, "data");

    /// <summary>Everything the first host (and its worker) wrote to stdout/stderr so far (for error reports).</summary>
    public string Output => _instances.Count > 0 ? _instances[0].Output : "";

    /// <summary>
    /// Starts <paramref name="instances"/> instances on <paramref name="store"/> (sqlite, postgres, azureStorage);
    /// <paramref name="connection"/> is the store's connection string (PostgreSQL's, or Azure Storage's given as
    /// <c>AzureWebJobsStorage</c>), null for SQLite.
    /// </summary>
    public static async Task<AppDeployment> StartAsync(string store, int instances, string? connection)
    {
        var app = new AppDeployment();
        try
        {
            File.Copy(Path.Combine(RepoPaths.Root, "host.json"), Path.Combine(app._workDir, "host.json"));
            var env = new Dictionary<string, string?>
            {
                ["PIPELINE_DURABLE__STORE"] = store,
                ["PIPELINE_DURABLE__POSTGRES"] = store == "postgres" ? connection : null,
                ["AzureWebJobsStorage"] = store == "azureStorage" ? connection : null,
            };
            for (var i = 0; i < instances; i++)
                app._instances.Add(await HostedApp.StartAsync(app._workDir, app.DataDir, env));
            foreach (var instance in app._instances) app._starters.Add(instance.CreateClient());
            app._http = app._starters[0];
            return app;
        }
        catch
        {
            // An instance that did not start: stop the ones that did and remove the work directory.
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

    /// <summary>CPU time (user + system) the hosts and workers have used so far.</summary>
    public double CpuSeconds() => _instances.Sum(i => i.CpuSeconds());

    /// <summary>Sum of the hosts' and workers' peak resident set sizes (VmHWM), in MB.</summary>
    public double PeakRssMb() => _instances.Sum(i => i.PeakRssMb());

    /// <summary>Throws if a worker was restarted since start (its figures would be half a run's).</summary>
    public async Task EnsureSameWorkersAsync()
    {
        foreach (var instance in _instances) await instance.EnsureSameWorkerAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _starters) client.Dispose();
        foreach (var instance in _instances) await instance.DisposeAsync();
        try { Directory.Delete(_workDir, recursive: true); } catch (IOException) { }
    }
}
