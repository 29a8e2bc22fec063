using Pipeline.Testing;

namespace Pipeline.Functions.Tests;

/// <summary>
/// TEMPORARY adapter, deleted once the timer tests use <see cref="PipelineApp"/> with a clock file directly: the app is no
/// longer hosted in the test process; this starts it through the host (<see cref="PipelineApp"/>) on a clock file whose
/// "now" starts at <see cref="Clock"/>'s time, and <see cref="MoveToAsync"/> moves both.
/// </summary>
public sealed class InProcessApp : IAsyncDisposable
{
    private readonly PipelineApp _app;

    private InProcessApp(PipelineApp app, ManualClock clock)
    {
        _app = app;
        Clock = clock;
        Client = app.CreateClient();
        Browser = app.CreateClient(withKey: false);
    }

    /// <summary>The clock the test keeps; host and app run on the clock file, moved with it.</summary>
    public ManualClock Clock { get; }

    /// <summary>The app.</summary>
    public PipelineApp App => _app;

    /// <summary>A client sending the admin key.</summary>
    public HttpClient Client { get; }

    /// <summary>A client without a key (an approver's or participant's browser).</summary>
    public HttpClient Browser { get; }

    /// <summary>The data directory.</summary>
    public string DataDirectory => _app.DataDirectory;

    /// <summary>Starts the app with "now" at <paramref name="clock"/>'s time, in a new working directory holding host.json edited by <paramref name="editHostJson"/>.</summary>
    public static async Task<InProcessApp> StartAsync(ManualClock clock, Func<string, string>? editHostJson = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var directory = PipelineApp.CreateWorkingDirectory(editHostJson);
        try
        {
            var clockFile = PipelineApp.CreateClockFile(directory, clock.GetUtcNow());
            var app = await PipelineApp.StartAsync(directory, clockFile: clockFile);
            return new InProcessApp(app, clock);
        }
        catch
        {
            PipelineApp.DeleteDirectory(directory);
            throw;
        }
    }

    /// <summary>Moves the clock to <paramref name="utc"/>, then gives host and app a couple of polling intervals to act on it.</summary>
    public async Task MoveToAsync(DateTime utc)
    {
        Clock.AdvanceTo(utc);
        await _app.SetClockAsync(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)));
    }

    /// <summary>Stops the app and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Browser.Dispose();
        var directory = _app.WorkingDirectory;
        await _app.DisposeAsync();
        PipelineApp.DeleteDirectory(directory);
    }
}
