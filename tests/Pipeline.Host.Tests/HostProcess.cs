using System.Diagnostics;
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

    private readonly FunctionsHost _host;

    private HostProcess(FunctionsHost host)
    {
        _host = host;
        BaseAddress = new Uri(host.BaseAddress, $"/{RoutePrefix}/");
    }

    /// <summary>The host's working directory.</summary>
    public string WorkingDirectory => _host.WorkingDirectory;

    /// <summary>The data directory.</summary>
    public string DataDirectory => _host.DataDirectory;

    /// <summary>The public port.</summary>
    public int Port => _host.Port;

    /// <summary>The test app's functions: <c>http://127.0.0.1:port/testapi/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The host process.</summary>
    public ChildProcess Process => _host.Process;

    /// <summary>The master key.</summary>
    public string MasterKey => _host.MasterKey;

    /// <summary>The default host function key.</summary>
    public string FunctionKey => _host.FunctionKey;

    /// <summary>The built host, from this test build's configuration.</summary>
    public static string HostDllPath => FunctionsHost.HostDllPath;

    /// <summary>The built test app's output directory.</summary>
    public static string TestAppDirectory => Path.Combine(RepoPaths.Root, "tests", "Pipeline.Host.TestApp", "bin", FunctionsHost.Configuration, "net10.0");

    /// <summary>
    /// Starts the host and waits until it listens. <paramref name="hostJson"/>, when given, is written to the working
    /// directory (it must keep the test app's route prefix); <paramref name="environment"/> adds variables.
    /// </summary>
    public static async Task<HostProcess> StartAsync(string? hostJson = null, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var directory = Prepare(hostJson, workingDirectory);
        try
        {
            return new HostProcess(await FunctionsHost.StartAsync(TestAppDirectory, directory, WithHostOnlyUrls(environment)));
        }
        catch
        {
            FunctionsHost.DeleteDirectory(directory);
            throw;
        }
    }

    /// <summary>Starts the host expecting it to refuse to start; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunExpectingFailureAsync(string? hostJson = null, IReadOnlyDictionary<string, string?>? environment = null, IEnumerable<string>? args = null)
    {
        var workingDirectory = Prepare(hostJson, null);
        var arguments = args?.ToList() ?? ["--app", TestAppDirectory, "--urls", $"http://127.0.0.1:{FunctionsHost.FreePort()}"];
        var process = FunctionsHost.Launch(arguments, workingDirectory, environment: WithHostOnlyUrls(environment));
        try
        {
            if (!await process.WaitForExitAsync(FunctionsHost.StartTimeout)) throw new TimeoutException($"The host did not exit. Output:\n{process.Output}");
            await process.WaitForOutputClosedAsync().WaitAsync(TimeSpan.FromSeconds(10));
            return (process.ExitCode ?? -1, process.Output);
        }
        finally
        {
            await process.DisposeAsync();
            FunctionsHost.DeleteDirectory(workingDirectory);
        }
    }

    private static string Prepare(string? hostJson, string? workingDirectory)
    {
        workingDirectory ??= Directory.CreateTempSubdirectory("pipeline-host-").FullName;
        if (hostJson is not null) File.WriteAllText(Path.Combine(workingDirectory, "host.json"), hostJson);
        return workingDirectory;
    }

    // ASPNETCORE_URLS is meant for the host only: the host must keep it from the worker (checked by a test).
    private static Dictionary<string, string?> WithHostOnlyUrls(IReadOnlyDictionary<string, string?>? environment)
    {
        var variables = new Dictionary<string, string?> { ["ASPNETCORE_URLS"] = "http://127.0.0.1:1" };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) variables[key] = value;
        return variables;
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

    /// <summary>Kills the host and everything it started, and deletes its working directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        FunctionsHost.DeleteDirectory(WorkingDirectory);
    }
}
