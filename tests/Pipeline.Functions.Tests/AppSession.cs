namespace Pipeline.Functions.Tests;

/// <summary>
/// One started app for a test that needs its own: the app through the host in a new working directory (the repo's
/// host.json, edited by the test), optionally on a clock file the test moves, with a client sending the admin key and a
/// browser sending none. Disposing stops the app and deletes the directory.
/// </summary>
public sealed class AppSession : IAsyncDisposable
{
    private AppSession(PipelineApp app, HttpClient browser)
    {
        App = app;
        Client = app.CreateClient();
        Browser = browser;
    }

    /// <summary>The app.</summary>
    public PipelineApp App { get; }

    /// <summary>A client sending the admin key.</summary>
    public HttpClient Client { get; }

    /// <summary>A client sending no key (an approver's or participant's browser).</summary>
    public HttpClient Browser { get; }

    /// <summary>The data directory (PIPELINE_DATA).</summary>
    public string DataDirectory => App.DataDirectory;

    /// <summary>
    /// Starts the app on host.json edited by <paramref name="editHostJson"/>. With <paramref name="clock"/> host and app run
    /// on a clock file whose "now" is <paramref name="clockStart"/> (real now when null). <paramref name="browser"/> makes
    /// the keyless client from the app's address (default: <see cref="PipelineApp.CreateClient"/> without a key).
    /// </summary>
    public static async Task<AppSession> StartAsync(Func<string, string>? editHostJson = null, bool clock = false, DateTimeOffset? clockStart = null,
        Func<Uri, HttpClient>? browser = null)
    {
        var directory = PipelineApp.CreateWorkingDirectory(editHostJson);
        try
        {
            var clockFile = clock || clockStart is not null ? PipelineApp.CreateClockFile(directory, clockStart) : null;
            var app = await PipelineApp.StartAsync(directory, clockFile: clockFile);
            return new AppSession(app, browser?.Invoke(app.BaseAddress) ?? app.CreateClient(withKey: false));
        }
        catch
        {
            PipelineApp.DeleteDirectory(directory);
            throw;
        }
    }

    /// <summary>Stops the app and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Browser.Dispose();
        await App.DisposeAsync();
        PipelineApp.DeleteDirectory(App.WorkingDirectory);
    }
}
