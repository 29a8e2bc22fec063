using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
// Fails orchestrators that await non-durable tasks when the host probes them (see Durable/NonDurableAwaitGuard.cs).
builder.UseMiddleware<Pipeline.Host.TestApp.Durable.NonDurableAwaitGuard>();
// The worker's own listener (ASP.NET Core integration) keeps Kestrel's 30 MB default body limit unless the app
// raises it, on Azure as here; the host in front enforces the real limit (pipeline.host.maxRequestBodyBytes).
builder.Services.Configure<KestrelServerOptions>(options => options.Limits.MaxRequestBodySize = null);
builder.Build().Run();
