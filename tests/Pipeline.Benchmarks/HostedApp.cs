using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Pipeline.Testing;

namespace Pipeline.Benchmarks;

/// <summary>
/// The one launcher of the benchmarks: the real app run as production runs it — our Functions host started as
/// <c>dotnet functions/Pipeline.Host/bin/Release/net10.0/Pipeline.Host.dll --app functions/Pipeline.Functions/bin/Release/net10.0
/// --urls http://127.0.0.1:&lt;free port&gt;</c> in a working directory holding a host.json, with <c>PIPELINE_DATA</c> set;
/// the host starts the worker (the app) itself, in the same working directory. Same approach as the tests' PipelineApp.
/// Both processes are measured: CPU and peak RSS are host + worker (the worker's pid from <c>GET /admin/host/status</c>).
/// </summary>
internal sealed class HostedApp : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private HostedApp(ChildProcess host, Uri baseAddress, string dataDirectory)
    {
        Host = host;
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
    }

    /// <summary>The built app's folder (what <c>--app</c> names).</summary>
    public static string AppDirectory => Path.Combine(RepoPaths.Root, "functions", "Pipeline.Functions", "bin", "Release", "net10.0");

    /// <summary>The built host.</summary>
    public static string HostDllPath => Path.Combine(RepoPaths.Root, "functions", "Pipeline.Host", "bin", "Release", "net10.0", "Pipeline.Host.dll");

    /// <summary>The host process (the worker is its child).</summary>
    public ChildProcess Host { get; }

    /// <summary>The worker process the host started (read from <c>GET /admin/host/status</c> once it listened).</summary>
    public int WorkerProcessId { get; private set; }

    /// <summary>Host and worker.</summary>
    public IReadOnlyList<int> ProcessIds => [Host.Id, WorkerProcessId];

    /// <summary>Where the host listens.</summary>
    public Uri BaseAddress { get; }

    /// <summary>PIPELINE_DATA.</summary>
    public string DataDirectory { get; }

    /// <summary>The host's master key (<c>&lt;data&gt;/admin.key</c>).</summary>
    public string AdminKey => File.ReadAllText(Path.Combine(DataDirectory, "admin.key")).Trim();

    /// <summary>What the host (and the worker, whose output the host relays) printed so far.</summary>
    public string Output => Host.Output;

    /// <summary>
    /// Starts the host with the app in <paramref name="workingDirectory"/> (which must hold host.json) and waits until it
    /// says it listens (once the worker has loaded its functions). <paramref name="environment"/> adds variables (null
    /// removes one) on top of a clean slate: no inherited store choice, URLs or environment name.
    /// </summary>
    public static async Task<HostedApp> StartAsync(string workingDirectory, string dataDirectory, IReadOnlyDictionary<string, string?>? environment = null)
    {
        if (!File.Exists(HostDllPath))
            throw new FileNotFoundException("Build the host first: dotnet build -c Release tests/Pipeline.Benchmarks (it builds host and app).", HostDllPath);
        if (!File.Exists(Path.Combine(AppDirectory, "Pipeline.Functions.dll")))
            throw new FileNotFoundException("Build the app first: dotnet build -c Release tests/Pipeline.Benchmarks (it builds host and app).", AppDirectory);
        if (!File.Exists(Path.Combine(workingDirectory, "host.json")))
            throw new FileNotFoundException("The working directory holds no host.json.", Path.Combine(workingDirectory, "host.json"));

        var url = $"http://127.0.0.1:{FreePort()}";
        var variables = new Dictionary<string, string?>
        {
            ["PIPELINE_DATA"] = dataDirectory,
            ["PIPELINE_APP"] = null,
            ["PIPELINE_CLOCKFILE"] = null,
            ["PIPELINE_DURABLE__POSTGRES"] = null,
            ["PIPELINE_DURABLE__STORE"] = null,
            ["ASPNETCORE_URLS"] = null,
            ["ASPNETCORE_ENVIRONMENT"] = null,
            ["DOTNET_ENVIRONMENT"] = null,
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = null,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) variables[key] = value;
        var process = ChildProcess.Start(HostDllPath, ["--app", AppDirectory, "--urls", url], workingDirectory, variables);
        var app = new HostedApp(process, new Uri(url), dataDirectory);
        try
        {
            await process.WaitForOutputAsync("Pipeline listening on", StartTimeout);
            app.WorkerProcessId = await app.ReadWorkerProcessIdAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return app;
    }

    /// <summary>A client for the host (base address set), with the master key unless <paramref name="withKey"/> is false.</summary>
    public HttpClient CreateClient(bool withKey = true, bool followRedirects = true, TimeSpan? timeout = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, AllowAutoRedirect = followRedirects })
        {
            BaseAddress = BaseAddress,
            Timeout = timeout ?? TimeSpan.FromSeconds(100),
        };
        if (withKey) client.DefaultRequestHeaders.Add("x-functions-key", AdminKey);
        return client;
    }

    /// <summary>The worker's pid as the host reports it (<c>worker.processId</c> of <c>GET /admin/host/status</c>, master key).</summary>
    public async Task<int> ReadWorkerProcessIdAsync()
    {
        using var client = CreateClient();
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            var status = await client.GetFromJsonAsync<JsonObject>("/admin/host/status");
            if (status?["worker"]?["processId"]?.GetValue<int>() is int pid and > 0) return pid;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The host reports no worker: {status?.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    /// <summary>Throws when the worker is no longer the one measured (it died and the host started another): the figures would be half a run's.</summary>
    public async Task EnsureSameWorkerAsync()
    {
        var now = await ReadWorkerProcessIdAsync();
        if (now != WorkerProcessId)
            throw new InvalidOperationException($"The worker was restarted during the run (pid {WorkerProcessId} → {now}); output:\n{Output}");
    }

    /// <summary>Own CPU (utime + stime) of host and worker so far, in seconds.</summary>
    public double CpuSeconds() => ProcessIds.Sum(pid => ProcessCpu(pid).Own);

    /// <summary>Sum of host's and worker's peak resident set (VmHWM), in MB.</summary>
    public double PeakRssMb() => ProcessIds.Sum(pid => ReadStatusKb(pid, "VmHWM:")) / 1024.0;

    /// <summary>utime+stime (the process's own CPU) and cutime+cstime (its waited-for children), in seconds.</summary>
    public static (double Own, double Children) ProcessCpu(int pid)
    {
        // Fields after "(comm)": state is [0], so utime/stime/cutime/cstime (fields 14..17 of stat) are [11..14].
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        const double ticks = 100.0; // USER_HZ
        return ((long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ticks,
            (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / ticks);
    }

    /// <summary>A <c>/proc/&lt;pid&gt;/status</c> figure in kB (0 when the process is gone).</summary>
    public static long ReadStatusKb(int pid, string key)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>A TCP port free on loopback right now.</summary>
    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Stops the host, and the worker with it (a host killed on dispose cannot stop its worker: done here).</summary>
    public async ValueTask DisposeAsync()
    {
        var workers = ChildProcessIds(Host.Id);
        if (WorkerProcessId > 0 && !workers.Contains(WorkerProcessId)) workers.Add(WorkerProcessId);
        await Host.DisposeAsync();
        foreach (var worker in workers)
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(worker);
                process.Kill();
            }
            catch (ArgumentException) { } // gone already
            catch (InvalidOperationException) { }
        }
    }

    // The processes the host started (children of its pid), from /proc.
    private static List<int> ChildProcessIds(int parent)
    {
        var children = new List<int>();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent) children.Add(pid);
                }
                catch (IOException) { }
            }
        }
        catch (IOException) { }
        return children;
    }
}
