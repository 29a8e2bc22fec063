using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Pipeline.Testing;

namespace Pipeline.Host.Tests;

/// <summary>
/// The real host, started as <c>dotnet Pipeline.Host.dll --app &lt;test app&gt; --urls http://127.0.0.1:&lt;free port&gt;</c>
/// in a new working directory (optionally holding a host.json of the test's), with <c>PIPELINE_DATA=&lt;dir&gt;/data</c>.
/// Ready once it printed "Pipeline listening on".
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    /// <summary>The test app's route prefix (its host.json).</summary>
    public const string RoutePrefix = "testapi";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private HostProcess(string workingDirectory, int port, ChildProcess process)
    {
        WorkingDirectory = workingDirectory;
        Port = port;
        Process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/{RoutePrefix}/");
    }

    /// <summary>The host's working directory.</summary>
    public string WorkingDirectory { get; }

    /// <summary>The data directory.</summary>
    public string DataDirectory => Path.Combine(WorkingDirectory, "data");

    /// <summary>The public port.</summary>
    public int Port { get; }

    /// <summary>The test app's functions: <c>http://127.0.0.1:port/testapi/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The host process.</summary>
    public ChildProcess Process { get; }

    /// <summary>The master key.</summary>
    public string MasterKey => File.ReadAllText(Path.Combine(DataDirectory, "admin.key")).Trim();

    /// <summary>The default host function key.</summary>
    public string FunctionKey => File.ReadAllText(Path.Combine(DataDirectory, "function.key")).Trim();

    /// <summary>The built host, from this test build's configuration.</summary>
    public static string HostDllPath => Path.Combine(RepoPaths.Root, "functions", "Pipeline.Host", "bin", Configuration, "net10.0", "Pipeline.Host.dll");

    /// <summary>The built test app's output directory.</summary>
    public static string TestAppDirectory => Path.Combine(RepoPaths.Root, "tests", "Pipeline.Host.TestApp", "bin", Configuration, "net10.0");

    private static string Configuration => typeof(HostProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>
    /// Starts the host and waits until it listens. <paramref name="hostJson"/>, when given, is written to the working
    /// directory (it must keep the test app's route prefix); <paramref name="environment"/> adds variables.
    /// </summary>
    public static async Task<HostProcess> StartAsync(string? hostJson = null, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var (directory, process, port) = Launch(hostJson, environment, workingDirectory: workingDirectory);
        workingDirectory = directory;
        var host = new HostProcess(workingDirectory, port, process);
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

    /// <summary>Starts the host expecting it to refuse to start; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunExpectingFailureAsync(string? hostJson = null, IReadOnlyDictionary<string, string?>? environment = null, IEnumerable<string>? args = null)
    {
        var (workingDirectory, process, _) = Launch(hostJson, environment, args);
        try
        {
            if (!await process.WaitForExitAsync(StartTimeout)) throw new TimeoutException($"The host did not exit. Output:\n{process.Output}");
            await process.WaitForOutputClosedAsync().WaitAsync(TimeSpan.FromSeconds(10));
            return (process.ExitCode ?? -1, process.Output);
        }
        finally
        {
            await process.DisposeAsync();
            DeleteDirectory(workingDirectory);
        }
    }

    private static (string WorkingDirectory, ChildProcess Process, int Port) Launch(string? hostJson, IReadOnlyDictionary<string, string?>? environment, IEnumerable<string>? args = null, string? workingDirectory = null)
    {
        if (!File.Exists(HostDllPath)) throw new FileNotFoundException($"The host is not built: {HostDllPath}.");
        if (!File.Exists(Path.Combine(TestAppDirectory, "worker.config.json"))) throw new FileNotFoundException($"The test app is not built: {TestAppDirectory}.");
        workingDirectory ??= Directory.CreateTempSubdirectory("pipeline-host-").FullName;
        if (hostJson is not null) File.WriteAllText(Path.Combine(workingDirectory, "host.json"), hostJson);
        var port = FreePort();
        var variables = new Dictionary<string, string?>
        {
            ["PIPELINE_DATA"] = Path.Combine(workingDirectory, "data"),
            ["PIPELINE_APP"] = null,
            // Meant for the host only: the host must keep it from the worker (checked by a test).
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:1",
            ["ASPNETCORE_ENVIRONMENT"] = null,
            ["DOTNET_ENVIRONMENT"] = null,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) variables[key] = value;
        var arguments = args?.ToList() ?? ["--app", TestAppDirectory, "--urls", $"http://127.0.0.1:{port}"];
        var process = ChildProcess.Start(HostDllPath, arguments, workingDirectory, variables);
        return (workingDirectory, process, port);
    }

    /// <summary>A client for the functions; <paramref name="key"/> goes in <c>x-functions-key</c> when given.</summary>
    public HttpClient CreateClient(string? key = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        if (key is not null) client.DefaultRequestHeaders.Add("x-functions-key", key);
        return client;
    }

    /// <summary>The host process's peak resident memory (VmHWM), in bytes.</summary>
    public long PeakResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{Process.Id}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        throw new InvalidOperationException("No VmHWM in /proc/<pid>/status.");
    }

    /// <summary>Waits until the host's output contains <paramref name="text"/>.</summary>
    public Task WaitForOutputAsync(string text, TimeSpan? timeout = null) => Process.WaitForOutputAsync(text, timeout ?? TimeSpan.FromSeconds(60));

    /// <summary>Polls <paramref name="condition"/> until it holds; throws with <paramref name="what"/> and the host's output after <paramref name="timeout"/>.</summary>
    public async Task PollAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"{what}: not within {timeout}. Host output:\n{Process.Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILLs the host (not its worker), keeping its working directory for a restart on the same data.</summary>
    public async Task KillKeepingDataAsync()
    {
        Process.Kill();
        await Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Kills the host and deletes its working directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        DeleteDirectory(WorkingDirectory);
    }

    private static void DeleteDirectory(string path)
    {
        try { Directory.Delete(path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try { return ((IPEndPoint)listener.LocalEndpoint).Port; }
        finally { listener.Stop(); }
    }
}
