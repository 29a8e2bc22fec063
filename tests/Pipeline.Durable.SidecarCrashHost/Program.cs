// The durable sidecar and Microsoft's SDK worker in one process, until it is killed (or, with --exit-when-done, until
// every instance has finished).
//
//   Pipeline.Durable.SidecarCrashHost sqlite <path> | postgres <connection string> <schema>
//       --log-dir <dir>          side-effect log: one file per process, a line "instanceId:index:pid" per activity run
//       [--schedule <n>]         first schedule n chains, ids chain-00 … (SQLite: only the owning process can)
//       [--length <n>]           activities per chain (default 10)
//       [--lease <seconds>]      lease duration (default 2)
//       [--exit-when-done]       exit 0 once every instance has finished, printing "done: <n> finished"
//
// Prints "ready <pid>" once the worker is connected.
using System.Globalization;
using System.Net;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Pipeline.Durable.Sidecar;

if (args.Length < 2) return Usage("store kind and location required");
var first = args[0] == "postgres" ? 3 : 2;
var options = new Dictionary<string, string?>();
for (var i = first; i < args.Length; i++)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal)) return Usage($"unexpected argument '{args[i]}'");
    options[args[i]] = args[i] != "--exit-when-done" && i + 1 < args.Length ? args[++i] : null;
}
if (!options.TryGetValue("--log-dir", out var logDir) || logDir is null) return Usage("--log-dir required");
TaskHubStore store = args[0] switch
{
    "sqlite" => new SqliteTaskHub(args[1]),
    "postgres" => new PostgresTaskHub(args[1], args[2]),
    _ => throw new ArgumentException($"unknown store kind '{args[0]}'"),
};
var pid = Environment.ProcessId;
Directory.CreateDirectory(logDir);
var log = new StreamWriter(new FileStream(Path.Combine(logDir, $"worker-{pid}.log"), FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
var logLock = new Lock();

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
builder.Services.AddDurableSidecar(o =>
{
    o.Store = store;
    o.LeaseDuration = TimeSpan.FromSeconds(Int("--lease", 2));
    o.MaxPollingInterval = TimeSpan.FromMilliseconds(100);
});
var app = builder.Build();
app.MapDurableSidecar();
await app.StartAsync();

// The worker and client connect to this process's own sidecar, whose address is known once Kestrel listens.
var channel = GrpcChannel.ForAddress(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
var workerBuilder = Host.CreateApplicationBuilder();
workerBuilder.Logging.SetMinimumLevel(LogLevel.Warning);
workerBuilder.Services.AddDurableTaskWorker(b =>
{
    b.AddTasks(tasks =>
    {
        tasks.AddActivityFunc<int, int>("Step", async (ctx, index) =>
        {
            await Task.Delay(50);
            // The side effect comes before the result is recorded: a crash in between means the step runs again.
            lock (logLock) log.WriteLine($"{ctx.InstanceId}:{index}:{pid}");
            return index;
        });
        tasks.AddOrchestratorFunc<int, string>("Chain", async (ctx, steps) =>
        {
            var done = new List<int>();
            for (var i = 0; i < steps; i++) done.Add(await ctx.CallActivityAsync<int>("Step", i));
            return string.Join(",", done);
        });
    });
    b.UseGrpc(channel);
    b.Configure(o => o.Concurrency.MaximumConcurrentActivityWorkItems = 4);
});
workerBuilder.Services.AddDurableTaskClient(b => b.UseGrpc(channel));
using var worker = workerBuilder.Build();
await worker.StartAsync();

var client = worker.Services.GetRequiredService<DurableTaskClient>();
if (options.ContainsKey("--schedule"))
{
    for (var i = 0; i < Int("--schedule", 0); i++)
        await client.ScheduleNewOrchestrationInstanceAsync("Chain", Int("--length", 10), new StartOrchestrationOptions { InstanceId = $"chain-{i:D2}" });
}
Console.WriteLine($"ready {pid}");

if (options.ContainsKey("--exit-when-done"))
{
    while (true)
    {
        var instances = new List<OrchestrationMetadata>();
        await foreach (var instance in client.GetAllInstancesAsync()) instances.Add(instance);
        if (instances.Count > 0 && instances.All(i => i.IsCompleted))
        {
            await worker.StopAsync();
            await app.StopAsync();
            Console.WriteLine($"done: {instances.Count} finished");
            return 0;
        }
        await Task.Delay(100);
    }
}
await Task.Delay(Timeout.Infinite);
return 0;

int Int(string name, int fallback) => options.TryGetValue(name, out var value) && value is not null ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

static int Usage(string problem)
{
    Console.Error.WriteLine($"{problem}\nusage: Pipeline.Durable.SidecarCrashHost sqlite <path> | postgres <connection string> <schema> --log-dir <dir> " +
        "[--schedule <n>] [--length <n>] [--lease <seconds>] [--exit-when-done]");
    return 2;
}
