using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Azure.Functions.Worker.Builder;

namespace Pipeline.Functions.Hosting;

/// <summary>
/// What every feature runs on: configuration (host.json's <c>pipeline</c> section, overridden by <c>PIPELINE_</c>
/// environment variables, validated at start), the data directory, the clock, and the credential names of audit entries.
/// The app does not know which host runs it: keys, the durable store and the management API are the host's.
/// </summary>
public static class PipelineHost
{
    /// <summary>
    /// Configures the app. Fails at start, with a message naming the setting, when host.json or an override is wrong.
    /// Working directory = the host's: it holds host.json and (by default) <c>data/</c>.
    /// </summary>
    public static FunctionsApplicationBuilder AddPipelineHost(this FunctionsApplicationBuilder builder, string? workingDirectory = null)
    {
        workingDirectory ??= Directory.GetCurrentDirectory();
        var hostJson = HostJson.Locate(workingDirectory, AppContext.BaseDirectory);
        HostJson.AddTo(builder.Configuration, hostJson);

        var options = HostJson.Read(builder.Configuration) with { SourcePath = hostJson };
        var data = DataDirectory.Resolve(builder.Configuration, workingDirectory).EnsureExists();

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(data);
        builder.Services.AddSingleton(ClockFile.FromEnvironment());
        builder.Services.AddSingleton<HostKeyNames>();
        builder.Services.AddProblemDetails();
        // Orchestration and activity inputs, outputs and custom status in camelCase, as API.md shows them (the durable
        // extension serializes with the worker's serializer, built from these options). Names are read case-insensitively.
        builder.Services.Configure<JsonSerializerOptions>(json =>
        {
            json.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            json.PropertyNameCaseInsensitive = true;
        });
        // The worker's own listener keeps Kestrel's 30 MB body limit unless raised (on Azure too); the host in front
        // enforces the real limit, and intake limits each file (pipeline.intake.maxFileBytes).
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = null);
        return builder;
    }
}
