using Pipeline.Testing;

namespace Pipeline.Durable.Tests;

/// <summary>
/// The Pipeline.Durable.CrashWorker program (a durable worker in its own process, built with this project)
/// and the side-effect log its activities write: a line "instanceId:index:pid" every time a chain step runs.
/// </summary>
public static class CrashWorkerProcess
{
    public const int Chains = 10;
    public const int Steps = 10;

    /// <summary>What every chain returns: the indexes of its steps, in order.</summary>
    public static string ExpectedOutput { get; } = string.Join(",", Enumerable.Range(0, Steps));

    public static IReadOnlyList<string> ChainIds { get; } = [.. Enumerable.Range(0, Chains).Select(i => $"chain-{i:D2}")];

    public static string DllPath
    {
        get
        {
            // Same configuration and framework as this test assembly: bin/<configuration>/<tfm>/.
            var tfmDirectory = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
            var path = Path.Combine(RepoPaths.Root, "tests", "Pipeline.Durable.CrashWorker", "bin",
                tfmDirectory.Parent!.Name, tfmDirectory.Name, "Pipeline.Durable.CrashWorker.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException(
                "The crash worker is not built; it is built with this test project (see its ProjectReference).", path);
        }
    }

    public static async Task<ChildProcess> StartAsync(params string[] args)
    {
        var child = ChildProcess.Start(DllPath, args);
        await child.WaitForOutputAsync("ready", TimeSpan.FromSeconds(30));
        return child;
    }

    public sealed record StepRun(string InstanceId, int Index, int Pid);

    /// <summary>Every step run logged so far by every worker process.</summary>
    public static List<StepRun> ReadLog(string logDirectory)
    {
        var runs = new List<StepRun>();
        if (!Directory.Exists(logDirectory)) return runs;
        foreach (var file in Directory.EnumerateFiles(logDirectory, "worker-*.log"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                var parts = line.Split(':');
                if (parts.Length == 3 && int.TryParse(parts[1], out var index) && int.TryParse(parts[2], out var pid))
                    runs.Add(new StepRun(parts[0], index, pid));
            }
        }
        return runs;
    }

    public static Task WaitForLogAsync(string logDirectory, Func<List<StepRun>, bool> condition, string what)
        => EngineUnderTest.WaitUntilAsync(() => Task.FromResult(condition(ReadLog(logDirectory))), TimeSpan.FromSeconds(60),
            () => $"the side-effect log to show {what}; it has {ReadLog(logDirectory).Count} line(s)");

    /// <summary>
    /// The crash-recovery outcome: every chain completed with the right output, every step's result recorded
    /// exactly once in history, and every step ran at least once (the log may show re-runs: at-least-once).
    /// </summary>
    public static async Task AssertEveryChainFinishedExactlyOnceAsync(DurableTaskClient client, List<StepRun> log)
    {
        foreach (var id in ChainIds)
        {
            var state = await client.GetInstanceAsync(id, getInputsAndOutputs: true);
            Assert.NotNull(state);
            Assert.True(state.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{id} is {state.RuntimeStatus}: {state.FailureDetails}");
            Assert.Equal(ExpectedOutput, state.ReadOutputAs<string>());

            var history = await client.GetHistoryAsync(id);
            var scheduled = history.OfType<TaskScheduledEvent>().Select(s => s.EventId).ToList();
            var completed = history.OfType<TaskCompletedEvent>().Select(c => c.TaskScheduledId).ToList();
            Assert.True(scheduled.Count == Steps, $"{id}: {scheduled.Count} TaskScheduledEvent, expected {Steps}");
            Assert.True(scheduled.Distinct().Count() == Steps, $"{id}: a step was scheduled twice: {string.Join(",", scheduled)}");
            Assert.True(completed.Order().SequenceEqual(scheduled.Order()),
                $"{id}: each scheduled step must complete exactly once; scheduled {string.Join(",", scheduled)}, completed {string.Join(",", completed)}");
            Assert.DoesNotContain(history, e => e is TaskFailedEvent);

            for (var index = 0; index < Steps; index++)
                Assert.True(log.Any(r => r.InstanceId == id && r.Index == index), $"the log has no run of {id} step {index}");
        }
    }
}
