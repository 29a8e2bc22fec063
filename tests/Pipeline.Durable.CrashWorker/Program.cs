// A durable worker that runs until it is killed (or, with --exit-when-done, until every instance has finished).
//
//   Pipeline.Durable.CrashWorker sqlite <path> | postgres <connection string>
//       --log-dir <dir>          side-effect log: one file per process, a line "instanceId:index:pid" per activity run
//       [--schedule <n>]         first schedule n chains, ids chain-00 … (SQLite: only the owning process can)
//       [--length <n>]           activities per chain (default 10)
//       [--lease <seconds>]      lease duration (default 2)
//       [--max-activities <n>]   activities run at once (default 4)
//       [--exit-when-done]       exit 0 once every instance in the store has finished, printing "done: <n> finished"
//
// Prints "ready <pid>" once the worker is taking work.
using System.Globalization;
using Pipeline.Durable;
using Pipeline.Durable.Storage;
using Pipeline.Durable.Storage.Postgres;
using Pipeline.Durable.Storage.Sqlite;

if (args.Length < 2) return Usage("store kind and location required");
var options = new Dictionary<string, string?>();
for (var i = 2; i < args.Length; i++)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal)) return Usage($"unexpected argument '{args[i]}'");
    var takesValue = args[i] != "--exit-when-done";
    options[args[i]] = takesValue && i + 1 < args.Length ? args[++i] : null;
}
if (!options.TryGetValue("--log-dir", out var logDir) || logDir is null) return Usage("--log-dir required");
var length = Int(options, "--length", 10);
var pid = Environment.ProcessId;

IOrchestrationStore store = args[0] switch
{
    "sqlite" => new SqliteOrchestrationStore(args[1]),
    "postgres" => new PostgresOrchestrationStore(args[1]),
    _ => throw new ArgumentException($"unknown store kind '{args[0]}'"),
};
await store.InitializeAsync();

Directory.CreateDirectory(logDir);
var log = new StreamWriter(new FileStream(Path.Combine(logDir, $"worker-{pid}.log"), FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
var logLock = new Lock();

var registry = new DurableTaskRegistry();
registry.AddActivityFunc<int, int>("Step", async (ctx, index) =>
{
    await Task.Delay(50, ctx.CancellationToken);
    // The side effect comes before the result is recorded: a crash in between means the step runs again.
    lock (logLock) log.WriteLine($"{ctx.InstanceId}:{index}:{pid}");
    return index;
});
registry.AddOrchestratorFunc<int, string>("Chain", async (ctx, steps) =>
{
    var done = new List<int>();
    for (var i = 0; i < steps; i++) done.Add(await ctx.CallActivityAsync<int>("Step", i));
    return string.Join(",", done);
});

var client = new DurableTaskClient(store);
if (options.ContainsKey("--schedule"))
{
    var count = Int(options, "--schedule", 0);
    for (var i = 0; i < count; i++)
        await client.ScheduleNewOrchestrationInstanceAsync("Chain", length, new StartOrchestrationOptions($"chain-{i:D2}"));
}

var worker = new DurableTaskWorker(store, registry, new NoServices(), new DurableTaskWorkerOptions
{
    MaxPollingInterval = TimeSpan.FromMilliseconds(50),
    LeaseDuration = TimeSpan.FromSeconds(Int(options, "--lease", 2)),
    MaxConcurrentActivities = Int(options, "--max-activities", 4),
    WorkerId = $"crash-worker:{pid}",
});
await worker.StartAsync();
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
            await store.DisposeAsync();
            Console.WriteLine($"done: {instances.Count} finished");
            return 0;
        }
        await Task.Delay(100);
    }
}

await Task.Delay(Timeout.Infinite);
return 0;

static int Int(Dictionary<string, string?> options, string name, int fallback)
    => options.TryGetValue(name, out var value) && value is not null ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

static int Usage(string problem)
{
    Console.Error.WriteLine($"{problem}\nusage: Pipeline.Durable.CrashWorker sqlite <path> | postgres <connection string> --log-dir <dir> " +
        "[--schedule <n>] [--length <n>] [--lease <seconds>] [--max-activities <n>] [--exit-when-done]");
    return 2;
}

sealed class NoServices : IServiceProvider
{
    public object? GetService(Type serviceType) => null;
}
