using System.Globalization;
using Pipeline.Testing;

namespace Pipeline.Benchmarks;

/// <summary>
/// The one launcher of the benchmarks: the real app run as production runs it — our Functions host started as
/// <c>dotnet functions/Pipeline.Host/bin/Release/net10.0/Pipeline.Host.dll --app functions/Pipeline.Functions/bin/Release/net10.0
/// --urls http://127.0.0.1:&lt;free port&gt;</c> in a working directory holding a host.json, with <c>PIPELINE_DATA</c> set;
/// the host starts the worker (the app) itself, in the same working directory. Launched by <see cref="FunctionsHost"/>, as the tests' PipelineApp is.
/// Both processes are measured: CPU and peak RSS are host + worker (the worker's pid from <c>GET /admin/host/status</c>).
/// </summary>
internal sealed class HostedApp : IAsyncDisposable
{
    private readonly FunctionsHost _host;

    private HostedApp(FunctionsHost host) => _host = host;

    /// <summary>The built app's folder (what <c>--app</c> names).</summary>
    public static string AppDirectory => Path.Combine(RepoPaths.Root, "functions", "Pipeline.Functions", "bin", FunctionsHost.Configuration, "net10.0");

    /// <summary>The built host.</summary>
    public static string HostDllPath => FunctionsHost.HostDllPath;

    /// <summary>The host process (the worker is its child).</summary>
    public ChildProcess Host => _host.Process;

    /// <summary>The worker process the host started (read from <c>GET /admin/host/status</c> once it listened).</summary>
    public int WorkerProcessId { get; private set; }

    /// <summary>Host and worker.</summary>
    public IReadOnlyList<int> ProcessIds => [Host.Id, WorkerProcessId];

    /// <summary>Where the host listens.</summary>
    public Uri BaseAddress => _host.BaseAddress;

    /// <summary>PIPELINE_DATA.</summary>
    public string DataDirectory => _host.DataDirectory;

    /// <summary>The host's master key (<c>&lt;data&gt;/admin.key</c>).</summary>
    public string AdminKey => _host.MasterKey;

    /// <summary>What the host (and the worker, whose output the host relays) printed so far.</summary>
    public string Output => _host.Output;

    /// <summary>
    /// Starts the host with the app in <paramref name="workingDirectory"/> (which must hold host.json) and waits until it
    /// says it listens (once the worker has loaded its functions). <paramref name="environment"/> adds variables (null
    /// removes one) on top of a clean slate: no inherited store choice, URLs or environment name, host logs at Warning.
    /// </summary>
    public static async Task<HostedApp> StartAsync(string workingDirectory, string dataDirectory, IReadOnlyDictionary<string, string?>? environment = null)
    {
        if (!File.Exists(HostDllPath))
            throw new FileNotFoundException("Build the host first: dotnet build -c Release tests/Pipeline.Benchmarks (it builds host and app).", HostDllPath);
        if (!File.Exists(Path.Combine(AppDirectory, "Pipeline.Functions.dll")))
            throw new FileNotFoundException("Build the app first: dotnet build -c Release tests/Pipeline.Benchmarks (it builds host and app).", AppDirectory);
        if (!File.Exists(Path.Combine(workingDirectory, "host.json")))
            throw new FileNotFoundException("The working directory holds no host.json.", Path.Combine(workingDirectory, "host.json"));

        var variables = new Dictionary<string, string?> { ["Logging__LogLevel__Default"] = "Warning" };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) variables[key] = value;
        var app = new HostedApp(await FunctionsHost.StartAsync(AppDirectory, workingDirectory, variables, dataDirectory));
        try
        {
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
    public Task<int> ReadWorkerProcessIdAsync() => _host.WorkerProcessIdAsync();

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

    /// <summary>Stops the host and everything it started, the worker included.</summary>
    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
