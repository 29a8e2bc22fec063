using Pipeline.Functions.Diagnostics;
using Pipeline.Functions.Durable;
using Pipeline.Functions.Health;
using Pipeline.Functions.Hosting;

// Content root is the working directory: ./host.json and ./data are found there (see README).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = Directory.GetCurrentDirectory(),
});

builder.AddPipelineHost();
builder.Services.AddDiagnosticOrchestrations();

var app = builder.Build();

app.UsePipelineHost();
app.MapHealthApi();
app.MapDurableManagementApi();

app.Run();
