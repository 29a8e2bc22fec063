using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json.Nodes;

namespace Pipeline.Testing;

/// <summary>
/// The one launcher of our Functions host for tests and benchmarks:
/// <c>dotnet functions/Pipeline.Host/bin/&lt;configuration&gt;/net10.0/Pipeline.Host.dll --app &lt;app&gt; --urls http://127.0.0.1:&lt;free port&gt;</c>
/// in a working directory (host.json and, by default, data/), which starts the app's worker itself. Ready once it printed
/// "Pipeline listening on" (it does once the worker has loaded its functions). Disposing kills the host and everything it
/// started.
/// </summary>
public sealed class FunctionsHost : IAsyncDisposable
{
    /// <summary>How long a host gets to start listening.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private FunctionsHost(ChildProcess process, int port, string workingDirectory, string dataDirectory)
    {
        Process = process;
        Port = port;
        WorkingDirectory = workingDirectory;
        DataDirectory = dataDirectory;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>The build configuration of the test assemblies (Debug or Release): the host and app of the same one are run.</summary>
    public static string Configuration => typeof(FunctionsHost).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The built host.</summary>
    public static string HostDllPath => Path.Combine(RepoPaths.Root, "functions", "Pipeline.Host", "bin", Configuration, "net10.0", "Pipeline.Host.dll");

    /// <summary>The host process (the worker is its child).</summary>
    public ChildProcess Process { get; }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>Where it listens: <c>http://127.0.0.1:port</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The host's (and the worker's) working directory.</summary>
    public string WorkingDirectory { get; }

    /// <summary>PIPELINE_DATA.</summary>
    public string DataDirectory { get; }

    /// <summary>The master key the host wrote (<c>&lt;data&gt;/admin.key</c>).</summary>
    public string MasterKey => File.ReadAllText(Path.Combine(DataDirectory, "admin.key")).Trim();

    /// <summary>The default function key the host wrote (<c>&lt;data&gt;/function.key</c>).</summary>
    public string FunctionKey => File.ReadAllText(Path.Combine(DataDirectory, "function.key")).Trim();

    /// <summary>What the host (and the worker, whose output it relays) printed so far.</summary>
    public string Output => Process.Output;

    /// <summary>
    /// Starts the host with the app in <paramref name="appDirectory"/> and waits until it listens. The environment is
    /// this process's with <c>PIPELINE_DATA</c> set (default <c>&lt;working directory&gt;/data</c>), no inherited app,
    /// store, URLs or environment name, then <paramref name="environment"/> on top (a null value removes a variable).
    /// A host that does not start is killed and the failure carries its output.
    /// </summary>
    public static async Task<FunctionsHost> StartAsync(string appDirectory, string workingDirectory, IReadOnlyDictionary<string, string?>? environment = null,
        string? dataDirectory = null)
    {
        if (!File.Exists(Path.Combine(appDirectory, "worker.config.json")))
            throw new FileNotFoundException($"The app is not built: {appDirectory} holds no worker.config.json.", appDirectory);
        dataDirectory ??= Path.Combine(workingDirectory, "data");
        var port = FreePort();
        var process = Launch(["--app", appDirectory, "--urls", $"http://127.0.0.1:{port}"], workingDirectory, dataDirectory, environment);
        var host = new FunctionsHost(process, port, workingDirectory, dataDirectory);
        try
        {
            await process.WaitForOutputAsync("Pipeline listening on", StartTimeout);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

    /// <summary>
    /// Starts the host with exactly <paramref name="arguments"/> and the environment <see cref="StartAsync"/> would give
    /// it, without waiting for anything (for hosts expected to refuse to start).
    /// </summary>
    public static ChildProcess Launch(IEnumerable<string> arguments, string workingDirectory, string? dataDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        if (!File.Exists(HostDllPath)) throw new FileNotFoundException($"The host is not built: {HostDllPath}.", HostDllPath);
        var variables = new Dictionary<string, string?>
        {
            ["PIPELINE_DATA"] = dataDirectory ?? Path.Combine(workingDirectory, "data"),
            ["PIPELINE_APP"] = null,
            ["PIPELINE_CLOCKFILE"] = null,
            ["PIPELINE_DURABLE__POSTGRES"] = null,
            ["PIPELINE_DURABLE__STORE"] = null,
            ["ASPNETCORE_URLS"] = null,
            ["ASPNETCORE_ENVIRONMENT"] = null,
            ["DOTNET_ENVIRONMENT"] = null,
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = null,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) variables[key] = value;
        return ChildProcess.Start(HostDllPath, arguments, workingDirectory, variables);
    }

    /// <summary>
    /// The worker's pid as the host reports it (<c>worker.processId</c> of <c>GET /admin/host/status</c>, master key),
    /// waiting for one while the host has none ready.
    /// </summary>
    public async Task<int> WorkerProcessIdAsync(TimeSpan? timeout = null)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("x-functions-key", MasterKey);
        var deadline = DateTime.UtcNow + (timeout ?? StartTimeout);
        while (true)
        {
            var status = await client.GetFromJsonAsync<JsonObject>("/admin/host/status");
            if (status?["worker"]?["processId"]?.GetValue<int>() is int pid and > 0) return pid;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The host reports no worker: {status?.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// SIGKILL of the host and of what it started, at once, like a power cut; waits until all are gone, so a host restarted
    /// on the same data never meets the old worker.
    /// </summary>
    public async Task CrashAsync()
    {
        var started = ProcessTree.ChildrenOf(Process.Id);
        Process.Kill();
        foreach (var child in started) Libc.Kill(child, Libc.SIGKILL);
        if (!await Process.WaitForExitAsync(TimeSpan.FromSeconds(30)))
            throw new TimeoutException($"The host (pid {Process.Id}) did not die after SIGKILL.");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (started.Any(ProcessTree.IsRunning))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The host's processes (pids {string.Join(", ", started)}) did not die after SIGKILL.");
            await Task.Delay(50);
        }
    }

    /// <summary>Kills the host and every process it started; the directories stay (their owner deletes them).</summary>
    public ValueTask DisposeAsync() => Process.DisposeAsync();

    /// <summary>A TCP port free on loopback right now.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try { return ((IPEndPoint)listener.LocalEndpoint).Port; }
        finally { listener.Stop(); }
    }

    /// <summary>Deletes a test directory, ignoring failures (a process may still hold a file in it).</summary>
    public static void DeleteDirectory(string path)
    {
        try { if (Directory.Exists(path)) Directory.Delete(path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
