using Microsoft.Extensions.Options;
using Pipeline.Host.Durable;
using Pipeline.Host.Http;
using Pipeline.Host.Worker;

namespace Pipeline.Host.Hosting;

/// <summary>
/// The host: <c>Pipeline.Host --app &lt;built app dir&gt; [--urls …]</c>. Composition only: configuration, the worker
/// side (process, FunctionRpc, invoker), the HTTP side (routes from the functions' metadata, keys, forwarding).
/// Further triggers and bindings (durable) add their services in <see cref="Build"/> and map their endpoints in
/// <see cref="Map"/>: gRPC services with <see cref="RpcEndpointRouteBuilderExtensions.MapLoopbackGrpcService{TService}"/>,
/// HTTP endpoints with <see cref="AuthEndpointConventions.RequireAuthLevel{TBuilder}"/>.
/// </summary>
public static class FunctionsHostApplication
{
    /// <summary>Runs the host until SIGTERM/Ctrl-C; returns the exit code (2 when the configuration is wrong).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication app;
        try
        {
            app = Build(args, Directory.GetCurrentDirectory());
        }
        catch (InvalidOperationException e)
        {
            await Console.Error.WriteLineAsync($"Pipeline.Host cannot start: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        try
        {
            await app.RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync($"Pipeline.Host cannot start: {string.Join(" ", e.Failures)}").ConfigureAwait(false);
            return 2;
        }
        finally
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Builds the host for the working directory <paramref name="workingDirectory"/> (where ./host.json and ./data are).</summary>
    public static WebApplication Build(string[] args, string workingDirectory)
    {
        var (hostArgs, urls) = ListenAddresses.Take(args);
        // No reload-on-change: a watcher on the working directory would see every write to ./data.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [.. hostArgs, "--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = workingDirectory,
        });
        HostConfiguration.AddBaseSources(builder.Configuration);
        var appDirectory = AppDirectory.Resolve(builder.Configuration, workingDirectory);
        HostConfiguration.AddHostJson(builder.Configuration, HostConfiguration.LocateHostJson(workingDirectory, appDirectory));
        ListenAddresses.Apply(builder.Configuration, urls);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });

        var functionsOptions = FunctionsHostOptions.Read(builder.Configuration);
        WorkerRoutePrefix.EnsureSame(functionsOptions, appDirectory);
        var startupLog = new List<string>();
        var data = DataDirectory.Resolve(builder.Configuration, workingDirectory).EnsureExists(startupLog.Add);
        var keys = HostKeys.LoadOrCreate(data);

        builder.Services.AddOptions<HostRuntimeOptions>().Bind(builder.Configuration.GetSection(HostRuntimeOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<HostRuntimeOptions>, HostRuntimeOptionsValidator>();
        // Read now as well: Kestrel's limits and the shutdown timeout are set before options validation would run.
        var runtime = builder.Configuration.GetSection(HostRuntimeOptions.Section).Get<HostRuntimeOptions>() ?? new HostRuntimeOptions();
        var validation = new HostRuntimeOptionsValidator().Validate(null, runtime);
        if (validation.Failed) throw new InvalidOperationException(validation.FailureMessage);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = runtime.DrainTimeout + runtime.WorkerExitTimeout + TimeSpan.FromSeconds(15));

        var rpc = new RpcEndpoint();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = runtime.MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
            rpc.Listen(kestrel);
        });

        builder.Services.AddSingleton(appDirectory);
        builder.Services.AddSingleton(data);
        builder.Services.AddSingleton(keys);
        builder.Services.AddSingleton(functionsOptions);
        builder.Services.AddSingleton(rpc);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = HostProblemDetails.Customize);
        AddWorker(builder.Services);
        AddHttp(builder.Services);
        DurableHosting.Add(builder.Services, DurableHostOptions.Read(builder.Configuration, data));
        builder.Services.AddHostedService<StartupBanner>();

        var app = builder.Build();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Pipeline.Host");
        foreach (var line in startupLog) log.LogWarning("{Warning}", line);
        Map(app);
        return app;
    }

    /// <summary>The worker side: process supervision, FunctionRpc, the invoker.</summary>
    private static void AddWorker(IServiceCollection services)
    {
        services.AddGrpc(o =>
        {
            // No catch-all "unimplemented" endpoints: they would claim every two-segment POST path on the public listener.
            o.IgnoreUnknownServices = true;
            o.MaxReceiveMessageSize = WorkerProcess.MaxGrpcMessageBytes;
            o.MaxSendMessageSize = WorkerProcess.MaxGrpcMessageBytes;
        });
        services.AddSingleton<InFlightWork>();
        services.AddSingleton<WorkerChannelRegistry>();
        services.AddSingleton<WorkerLogForwarder>();
        services.AddSingleton<WorkerSupervisor>();
        services.AddSingleton<IWorkerLifecycle>(sp => sp.GetRequiredService<WorkerSupervisor>());
        services.AddHostedService(sp => sp.GetRequiredService<WorkerSupervisor>());
        services.AddSingleton<FunctionInvoker>();
        services.AddSingleton<IFunctionInvoker>(sp => sp.GetRequiredService<FunctionInvoker>());
    }

    /// <summary>The HTTP side: routes from the functions' metadata, forwarding to the worker.</summary>
    private static void AddHttp(IServiceCollection services)
    {
        services.AddHttpForwarder();
        services.AddSingleton<WorkerHttpForwarder>();
        services.AddSingleton<HttpFunctionHandler>();
        services.AddSingleton<FunctionEndpointDataSource>();
    }

    /// <summary>The request pipeline and every endpoint.</summary>
    private static void Map(WebApplication app)
    {
        // Errors become problem+json without stack traces; 404/405 from routing get problem bodies too.
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseMiddleware<ListenerIsolationMiddleware>();
        app.UseMiddleware<FunctionKeyMiddleware>();

        app.MapLoopbackGrpcService<FunctionRpcService>();
        ((IEndpointRouteBuilder)app).DataSources.Add(app.Services.GetRequiredService<FunctionEndpointDataSource>());
        DurableHosting.Map(app);
    }
}
