using Pipeline.Functions.Approval;
using Pipeline.Functions.Diagnostics;
using Pipeline.Functions.Digitise;
using Pipeline.Functions.Durable;
using Pipeline.Functions.Health;
using Pipeline.Functions.Meetings;
using Pipeline.Functions.Web;

namespace Pipeline.Functions.Hosting;

/// <summary>The whole app: every feature registered and mapped. <c>Program.cs</c> runs it; tests host it in-process when they must own its clock.</summary>
public static class PipelineApplication
{
    /// <summary>
    /// Builds the app. <paramref name="contentRoot"/> holds host.json and (by default) data/; <paramref name="services"/>,
    /// when given, registers first, so its singletons (a test's <see cref="TimeProvider"/>) win over the defaults.
    /// </summary>
    public static WebApplication Build(string[] args, string contentRoot, Action<IServiceCollection>? services = null)
    {
        // Configuration is not reloaded on change: a reload watcher on the content root would see every write
        // to ./data (the SQLite WAL above all) and burn CPU on it.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [.. args, "--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = contentRoot,
        });
        services?.Invoke(builder.Services);

        builder.AddPipelineHost();
        builder.Services.AddDiagnosticOrchestrations();
        builder.Services.AddDigitise();
        builder.Services.AddApprovals(builder.Configuration);
        builder.Services.AddMeetings();

        var app = builder.Build();

        app.UsePipelineHost();
        app.MapHealthApi();
        app.MapDurableManagementApi();
        app.MapDigitise();
        app.MapApprovals();
        app.MapMeetings();
        app.MapWebPages();
        return app;
    }
}
