using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;
using Pipeline.Functions.Http;

namespace Pipeline.Functions.Hosting;

/// <summary>
/// The host every feature runs in: configuration (host.json + <c>PIPELINE_</c> environment), the data
/// directory, the admin key, the durable engine, problem-details errors and the API key check.
/// </summary>
public static class PipelineHostBuilderExtensions
{
    /// <summary>Where the app listens when neither <c>--urls</c> nor <c>ASPNETCORE_URLS</c> says otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:7071";

    /// <summary>Prefix of the app's environment variables (<c>PIPELINE_DATA</c>, <c>PIPELINE_DURABLE__POSTGRES</c>…).</summary>
    public const string EnvironmentPrefix = "PIPELINE_";

    /// <summary>Configures the host. Fails fast, with a message naming the setting, when configuration is wrong.</summary>
    public static WebApplicationBuilder AddPipelineHost(this WebApplicationBuilder builder)
    {
        AddConfigurationSources(builder.Configuration);
        if (!ListenAddressConfigured(builder.Configuration)) builder.WebHost.UseUrls(DefaultUrl);

        var contentRoot = builder.Environment.ContentRootPath;
        var hostOptions = HostJson.Read(HostJson.Locate(contentRoot, AppContext.BaseDirectory));
        var data = DataDirectory.Resolve(builder.Configuration, contentRoot).EnsureExists();
        var adminKey = AdminKey.LoadOrCreate(data.AdminKeyFile);
        var storeSettings = DurableStoreSettings.Resolve(hostOptions.DurableTask.StorageProvider, builder.Configuration, data);

        builder.Services.AddSingleton(hostOptions);
        builder.Services.AddSingleton(data);
        builder.Services.AddSingleton(adminKey);
        builder.Services.AddDurableEngine(hostOptions, storeSettings);
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            if (context.ProblemDetails.Status != StatusCodes.Status500InternalServerError) return;
            // Never the exception itself (it may name internals); the log has it under the trace id.
            context.ProblemDetails.Title = "The server failed while handling the request";
            context.ProblemDetails.Detail = "Retry later. If it keeps failing, give the traceId to the operator: the app's log has the error under it.";
        });
        return builder;
    }

    /// <summary>Error handling, the API key check, and the startup lines saying where the app listens and where its key is.</summary>
    public static WebApplication UsePipelineHost(this WebApplication app)
    {
        // Unhandled exceptions become problem+json 500s without stack traces, in every environment.
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<ApiKeyMiddleware>();

        app.Lifetime.ApplicationStarted.Register(() => PrintStartupLines(app));
        return app;
    }

    private static void PrintStartupLines(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        foreach (var address in addresses is { Count: > 0 } ? addresses : app.Urls)
            Console.WriteLine($"Pipeline listening on {address}");
        Console.WriteLine($"Admin key: {app.Services.GetRequiredService<AdminKey>().FilePath}");
    }

    private static void AddConfigurationSources(ConfigurationManager configuration)
    {
        // Defaults first, so appsettings.json and the environment override them: request logs off.
        configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            },
        });

        // PIPELINE_* environment variables (PIPELINE_DURABLE__POSTGRES → Durable:Postgres), below the
        // command line so --Durable:Store=sqlite still wins.
        var environment = new EnvironmentVariablesConfigurationSource { Prefix = EnvironmentPrefix };
        var commandLine = configuration.Sources.ToList().FindLastIndex(s => s is CommandLineConfigurationSource);
        if (commandLine >= 0) configuration.Sources.Insert(commandLine, environment);
        else configuration.Sources.Add(environment);
    }

    private static bool ListenAddressConfigured(IConfiguration configuration)
        => !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
           || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
           || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey])
           || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
}
