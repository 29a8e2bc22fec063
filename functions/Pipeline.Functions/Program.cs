using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Pipeline.Functions.Approval;
using Pipeline.Functions.Digitise;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Hosting;
using Pipeline.Functions.Links;
using Pipeline.Functions.Meetings;
using Pipeline.Functions.Web;

// An isolated-worker Functions app: started by a Functions host (ours, Pipeline.Host, or Microsoft's), never on its own.
// The working directory is the host's: ./host.json and ./data are found there (see README).
// No reload-on-change: the default watcher on the content root (the working directory) wakes on every write the host
// makes under ./data, costing a thread's worth of CPU under load, and a Functions host restarts its workers when their
// configuration changes anyway. Set as a variable because the builder applies its defaults twice, the first time
// without the command line.
Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.AddPipelineHost();

// Services only: HTTP routes, orchestrations, activities and timers are [Function] methods in each feature's folder.
builder.Services.AddDocuments();
builder.Services.AddWeb();
builder.Services.AddDigitise();
builder.Services.AddMailedLinks(builder.Configuration);
builder.Services.AddApprovals(builder.Configuration);
builder.Services.AddMeetings();

builder.Build().Run();
