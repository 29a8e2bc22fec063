using System.Globalization;
using Pipeline.Testing;

namespace Pipeline.Functions.Tests;

/// <summary>
/// The real app, run as it runs in production: our Functions host started as
/// <c>dotnet Pipeline.Host.dll --app functions/Pipeline.Functions/bin/&lt;configuration&gt;/net10.0 --urls http://127.0.0.1:&lt;free port&gt;</c>
/// in a working directory holding a copy of the repo's host.json, with <c>PIPELINE_DATA=&lt;dir&gt;/data</c>; the host
/// starts the worker (the app) itself. Restart it on the same directory with <see cref="StartAsync"/> and
/// <see cref="WorkingDirectory"/>. With a clock file (<see cref="CreateClockFile"/>, passed to <see cref="StartAsync"/>)
/// host and app run on real time plus the file's offset (<c>PIPELINE_CLOCKFILE</c>), which <see cref="AdvanceClockAsync"/>
/// and <see cref="SetClockAsync"/> move, so timer tests let days pass in seconds.
/// </summary>
public sealed class PipelineApp : IAsyncDisposable
{
    /// <summary>How long after moving the clock the host's timers and polls get to act on it (a few polling intervals).</summary>
    public static readonly TimeSpan ClockSettleTime = TimeSpan.FromSeconds(2.5);

    private readonly FunctionsHost _host;
    private readonly bool _ownsDirectory;

    private PipelineApp(FunctionsHost host, bool ownsDirectory, string? clockFile)
    {
        _host = host;
        _ownsDirectory = ownsDirectory;
        ClockFile = clockFile;
    }

    /// <summary>The host's working directory (and the worker's): host.json and data/.</summary>
    public string WorkingDirectory => _host.WorkingDirectory;

    /// <summary>The data directory (PIPELINE_DATA).</summary>
    public string DataDirectory => _host.DataDirectory;

    /// <summary>The admin key file (the host's master key).</summary>
    public string AdminKeyPath => Path.Combine(DataDirectory, "admin.key");

    /// <summary>The default function key file.</summary>
    public string FunctionKeyPath => Path.Combine(DataDirectory, "function.key");

    /// <summary>Where the host listens.</summary>
    public Uri BaseAddress => _host.BaseAddress;

    /// <summary>The host process (the worker is its child).</summary>
    public ChildProcess Process => _host.Process;

    /// <summary>The clock file host and app run on (<c>PIPELINE_CLOCKFILE</c>), or null for the real clock.</summary>
    public string? ClockFile { get; }

    /// <summary>The build configuration of this test assembly (Debug or Release): the host and app of the same one are run.</summary>
    public static string Configuration => FunctionsHost.Configuration;

    /// <summary>The built app's directory (what <c>--app</c> names).</summary>
    public static string AppDirectory => Path.Combine(RepoPaths.Root, "functions", "Pipeline.Functions", "bin", Configuration, "net10.0");

    /// <summary>The built app.</summary>
    public static string AppDllPath => Path.Combine(AppDirectory, "Pipeline.Functions.dll");

    /// <summary>The built host.</summary>
    public static string HostDllPath => FunctionsHost.HostDllPath;

    /// <summary>
    /// Starts the host with the app and waits until it says it listens (it does once the worker has loaded its
    /// functions). With no <paramref name="workingDirectory"/> a new one is made (see <see cref="CreateWorkingDirectory"/>)
    /// and deleted on dispose; a given one is kept. <paramref name="environment"/> adds variables (null removes one).
    /// <paramref name="clockFile"/> (see <see cref="CreateClockFile"/>) runs host and app on that clock.
    /// </summary>
    public static async Task<PipelineApp> StartAsync(string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null,
        string? clockFile = null)
    {
        var owns = workingDirectory is null;
        workingDirectory ??= CreateWorkingDirectory();
        clockFile = clockFile is null ? null : Path.GetFullPath(clockFile);
        var variables = new Dictionary<string, string?> { ["PIPELINE_CLOCKFILE"] = clockFile };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) variables[key] = value;
        try
        {
            return new PipelineApp(await FunctionsHost.StartAsync(AppDirectory, workingDirectory, variables), owns, clockFile);
        }
        catch
        {
            if (owns) DeleteDirectory(workingDirectory);
            throw;
        }
    }

    /// <summary>A new temp directory holding the repo's host.json, edited by <paramref name="editHostJson"/>. The caller deletes it.</summary>
    public static string CreateWorkingDirectory(Func<string, string>? editHostJson = null)
    {
        var directory = Directory.CreateTempSubdirectory("pipeline-app-").FullName;
        var hostJson = File.ReadAllText(Path.Combine(RepoPaths.Root, "host.json"));
        File.WriteAllText(Path.Combine(directory, "host.json"), editHostJson?.Invoke(hostJson) ?? hostJson);
        return directory;
    }

    /// <summary>
    /// A clock file in <paramref name="workingDirectory"/> whose offset makes "now" <paramref name="startUtc"/> (or real
    /// now, offset 0, when null). Pass it to <see cref="StartAsync"/>.
    /// </summary>
    public static string CreateClockFile(string workingDirectory, DateTimeOffset? startUtc = null)
    {
        var path = Path.Combine(workingDirectory, "clock.offset");
        WriteOffset(path, startUtc is { } start ? start - DateTimeOffset.UtcNow : TimeSpan.Zero);
        return path;
    }

    /// <summary>The clock's offset from real time now (zero without a clock file).</summary>
    public TimeSpan ClockOffset => ClockFile is null ? TimeSpan.Zero : ReadOffset(ClockFile);

    /// <summary>"Now" on the clock host and app run on.</summary>
    public DateTimeOffset UtcNow => DateTimeOffset.UtcNow + ClockOffset;

    /// <summary>Moves the clock forward by <paramref name="by"/>, then gives host and app <see cref="ClockSettleTime"/> to act on it.</summary>
    public Task AdvanceClockAsync(TimeSpan by)
    {
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by), by, "The clock only moves forward.");
        return WriteAndSettleAsync(ClockOffset + by);
    }

    /// <summary>Moves the clock so that now is <paramref name="utc"/> (never backwards), then gives host and app <see cref="ClockSettleTime"/>.</summary>
    public Task SetClockAsync(DateTimeOffset utc)
    {
        var offset = utc - DateTimeOffset.UtcNow;
        if (offset < ClockOffset) throw new ArgumentOutOfRangeException(nameof(utc), utc, $"The clock only moves forward; it is already {UtcNow:O}.");
        return WriteAndSettleAsync(offset);
    }

    /// <summary>The admin key the host wrote.</summary>
    public string ReadAdminKey() => _host.MasterKey;

    /// <summary>The default function key the host wrote.</summary>
    public string ReadFunctionKey() => _host.FunctionKey;

    /// <summary>A client for the app, sending the admin key unless <paramref name="withKey"/> is false.</summary>
    public HttpClient CreateClient(bool withKey = true)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (withKey) client.DefaultRequestHeaders.Add("x-functions-key", ReadAdminKey());
        return client;
    }

    /// <summary>SIGKILL of the host and its worker, like a crash (power cut), and waits until both are gone.</summary>
    public Task CrashAsync() => _host.CrashAsync();

    /// <summary>Kills the host and its worker; deletes the working directory if this instance made it.</summary>
    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        if (_ownsDirectory) DeleteDirectory(WorkingDirectory);
    }

    /// <summary>Deletes a test directory, ignoring failures.</summary>
    public static void DeleteDirectory(string path) => FunctionsHost.DeleteDirectory(path);

    private async Task WriteAndSettleAsync(TimeSpan offset)
    {
        if (ClockFile is null) throw new InvalidOperationException("This app runs on the real clock: start it with a clock file (CreateClockFile).");
        WriteOffset(ClockFile, offset);
        await Task.Delay(ClockSettleTime);
    }

    private static void WriteOffset(string path, TimeSpan offset)
    {
        // Written whole to a temp file and renamed, so a reader never sees half a number.
        var temp = path + ".tmp";
        File.WriteAllText(temp, offset.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture));
        File.Move(temp, path, overwrite: true);
    }

    private static TimeSpan ReadOffset(string path)
    {
        var text = File.Exists(path) ? File.ReadAllText(path).Trim() : "";
        return text.Length == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(double.Parse(text, CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// One running app shared by the tests of a class (for tests that need no fresh data directory of their own). Derive
/// and override <see cref="EditHostJson"/> for an app on other settings.
/// </summary>
public class PipelineAppFixture : IAsyncLifetime
{
    private AppSession? _session;

    /// <summary>The app.</summary>
    public PipelineApp App => Session.App;

    /// <summary>A client sending the admin key.</summary>
    public HttpClient Client => Session.Client;

    /// <summary>A client sending no key.</summary>
    public HttpClient Anonymous => Session.Browser;

    private AppSession Session => _session ?? throw new InvalidOperationException("Not started.");

    /// <summary>How this fixture's host.json differs from the repo's (by default it does not).</summary>
    protected virtual string EditHostJson(string hostJson) => hostJson;

    /// <inheritdoc/>
    public async Task InitializeAsync() => _session = await AppSession.StartAsync(EditHostJson);

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_session is not null) await _session.DisposeAsync();
    }
}
