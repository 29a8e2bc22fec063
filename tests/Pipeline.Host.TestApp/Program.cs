using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
// The worker's own listener (ASP.NET Core integration) keeps Kestrel's 30 MB default body limit unless the app
// raises it, on Azure as here; the host in front enforces the real limit (pipeline.host.maxRequestBodyBytes).
builder.Services.Configure<KestrelServerOptions>(options => options.Limits.MaxRequestBodySize = null);
builder.Build().Run();
