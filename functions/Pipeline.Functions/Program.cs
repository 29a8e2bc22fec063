using Pipeline.Functions.Diagnostics;
using Pipeline.Functions.Digitise;
using Pipeline.Functions.Durable;
using Pipeline.Functions.Health;
using Pipeline.Functions.Hosting;
using Pipeline.Functions.Web;

// Content root is the working directory: ./host.json and ./data are found there (see README).
// Configuration is not reloaded on change: a reload watcher on the content root would see every write
// to ./data (the SQLite WAL above all) and burn CPU on it.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = [.. args, "--hostBuilder:reloadConfigOnChange=false"],
    ContentRootPath = Directory.GetCurrentDirectory(),
});

builder.AddPipelineHost();
builder.Services.AddDiagnosticOrchestrations();
builder.Services.AddDigitise();

var app = builder.Build();

app.UsePipelineHost();
app.MapHealthApi();
app.MapDurableManagementApi();
app.MapDigitise();
app.MapWebPages();

app.Run();
