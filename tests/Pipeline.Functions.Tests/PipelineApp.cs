using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Pipeline.Testing;

namespace Pipeline.Functions.Tests;

/// <summary>
/// The real app, started as <c>dotnet Pipeline.Functions.dll --urls http://127.0.0.1:&lt;free port&gt;</c> in a
/// working directory holding a copy of the repo's host.json, with <c>PIPELINE_DATA=&lt;dir&gt;/data</c>.
/// Restart it on the same directory with <see cref="StartAsync"/> and <see cref="WorkingDirectory"/>.
/// </summary>
public sealed class PipelineApp : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly bool _ownsDirectory;

    private PipelineApp(string workingDirectory, bool ownsDirectory, int port, ChildProcess process)
    {
        WorkingDirectory = workingDirectory;
        _ownsDirectory = ownsDirectory;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        Process = process;
    }

    /// <summary>The app's working directory (content root): host.json and data/.</summary>
    public string WorkingDirectory { get; }

    /// <summary>The data directory (PIPELINE_DATA).</summary>
    public string DataDirectory => Path.Combine(WorkingDirectory, "data");

    /// <summary>The admin key file.</summary>
    public string AdminKeyPath => Path.Combine(DataDirectory, "admin.key");

    /// <summary>Where the app listens.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The process.</summary>
    public ChildProcess Process { get; }

    /// <summary>The built app, from this test build's configuration (Debug or Release).</summary>
    public static string AppDllPath
    {
        get
        {
            var configuration = typeof(PipelineApp).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            return Path.Combine(RepoPaths.Root, "functions", "Pipeline.Functions", "bin", configuration, "net10.0", "Pipeline.Functions.dll");
        }
    }

    /// <summary>
    /// Starts the app and waits until it says it listens. With no <paramref name="workingDirectory"/> a new
    /// one is made (see <see cref="CreateWorkingDirectory"/>) and deleted on dispose; a given one is kept.
    /// <paramref name="environment"/> adds variables (e.g. <c>PIPELINE_DURABLE__POSTGRES</c>).
    /// </summary>
    public static async Task<PipelineApp> StartAsync(string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var owns = workingDirectory is null;
        workingDirectory ??= CreateWorkingDirectory();

        if (!File.Exists(AppDllPath))
            throw new FileNotFoundException($"The app is not built: {AppDllPath}. Build functions/Pipeline.Functions first.");

        var port = FreePort();
        var variables = new Dictionary<string, string?>
        {
            ["PIPELINE_DATA"] = Path.Combine(workingDirectory, "data"),
            ["PIPELINE_DURABLE__POSTGRES"] = null,
            ["PIPELINE_DURABLE__STORE"] = null,
            ["ASPNETCORE_URLS"] = null,
            ["ASPNETCORE_ENVIRONMENT"] = null,
            ["DOTNET_ENVIRONMENT"] = null,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) variables[key] = value;
        var process = ChildProcess.Start(AppDllPath, ["--urls", $"http://127.0.0.1:{port}"], workingDirectory, variables);
        var app = new PipelineApp(workingDirectory, owns, port, process);
        try
        {
            await process.WaitForOutputAsync("Pipeline listening on", StartTimeout);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return app;
    }

    /// <summary>A new temp directory holding the repo's host.json, edited by <paramref name="editHostJson"/>. The caller deletes it.</summary>
    public static string CreateWorkingDirectory(Func<string, string>? editHostJson = null)
    {
        var directory = Directory.CreateTempSubdirectory("pipeline-app-").FullName;
        var hostJson = File.ReadAllText(Path.Combine(RepoPaths.Root, "host.json"));
        File.WriteAllText(Path.Combine(directory, "host.json"), editHostJson?.Invoke(hostJson) ?? hostJson);
        return directory;
    }

    /// <summary>The admin key the app wrote.</summary>
    public string ReadAdminKey() => File.ReadAllText(AdminKeyPath).Trim();

    /// <summary>A client for the app, sending the admin key unless <paramref name="withKey"/> is false.</summary>
    public HttpClient CreateClient(bool withKey = true)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (withKey) client.DefaultRequestHeaders.Add("x-functions-key", ReadAdminKey());
        return client;
    }

    /// <summary>SIGKILL, like a crash, and waits until the process is gone.</summary>
    public async Task CrashAsync()
    {
        Process.Kill();
        if (!await Process.WaitForExitAsync(TimeSpan.FromSeconds(30)))
            throw new TimeoutException($"The app (pid {Process.Id}) did not die after SIGKILL.");
    }

    /// <summary>Stops the process; deletes the working directory if this instance made it.</summary>
    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        if (_ownsDirectory) DeleteDirectory(WorkingDirectory);
    }

    /// <summary>Deletes a test directory, ignoring failures.</summary>
    public static void DeleteDirectory(string path)
    {
        try { if (Directory.Exists(path)) Directory.Delete(path, recursive: true); }
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

/// <summary>One running app shared by the tests of a class.</summary>
public sealed class PipelineAppFixture : IAsyncLifetime
{
    private PipelineApp? _app;

    /// <summary>The app.</summary>
    public PipelineApp App => _app ?? throw new InvalidOperationException("Not started.");

    /// <summary>A client sending the admin key.</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>A client sending no key.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _app = await PipelineApp.StartAsync();
        Client = _app.CreateClient();
        Anonymous = _app.CreateClient(withKey: false);
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        Anonymous?.Dispose();
        if (_app is not null) await _app.DisposeAsync();
    }
}
