using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Functions.Hosting;
using Pipeline.Testing;

namespace Pipeline.Functions.Tests;

/// <summary>
/// The whole app hosted in the test process on a <see cref="ManualClock"/>, for timer paths: the durable engine's
/// timers, link expiry and the mail dates all read that clock, so moving it lets days pass in a second.
/// </summary>
public sealed class InProcessApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory;

    private InProcessApp(WebApplication app, string directory, ManualClock clock, Uri address)
    {
        _app = app;
        _directory = directory;
        Clock = clock;
        Client = new HttpClient { BaseAddress = address };
        Client.DefaultRequestHeaders.Add("x-functions-key", File.ReadAllText(Path.Combine(DataDirectory, "admin.key")).Trim());
        Browser = new HttpClient { BaseAddress = address };
    }

    /// <summary>The clock the app runs on.</summary>
    public ManualClock Clock { get; }

    /// <summary>A client sending the admin key.</summary>
    public HttpClient Client { get; }

    /// <summary>A client without a key (an approver's or participant's browser).</summary>
    public HttpClient Browser { get; }

    /// <summary>The data directory.</summary>
    public string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>Starts the app on <paramref name="clock"/> in a new working directory holding host.json edited by <paramref name="editHostJson"/>.</summary>
    public static async Task<InProcessApp> StartAsync(ManualClock clock, Func<string, string>? editHostJson = null)
    {
        var directory = PipelineApp.CreateWorkingDirectory(editHostJson);
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var app = PipelineApplication.Build(["--urls", address.ToString().TrimEnd('/'), $"--Data={Path.Combine(directory, "data")}", "--Logging:LogLevel:Default=Warning"],
            directory, services => services.AddSingleton<TimeProvider>(clock));
        await app.StartAsync();
        return new InProcessApp(app, directory, clock, address);
    }

    /// <summary>Moves the clock, then gives the engine a couple of its polling intervals to act on it.</summary>
    public async Task MoveToAsync(DateTime utc)
    {
        Clock.AdvanceTo(utc);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
    }

    /// <summary>Stops the app and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Browser.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        PipelineApp.DeleteDirectory(_directory);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try { return ((IPEndPoint)listener.LocalEndpoint).Port; }
        finally { listener.Stop(); }
    }
}
