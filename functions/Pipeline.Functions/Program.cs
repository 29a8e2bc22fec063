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
