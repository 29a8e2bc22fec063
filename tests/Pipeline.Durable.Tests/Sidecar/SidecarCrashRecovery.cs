namespace Pipeline.Durable.Tests.Sidecar;

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Pipeline.Durable.Sidecar;
using Pipeline.Testing;
using Xunit.Abstractions;
using static Pipeline.Durable.Tests.Sidecar.CrashStepLog;
using P = Microsoft.DurableTask.Protobuf;

/// <summary>
/// A process running the sidecar and Microsoft's SDK worker (Pipeline.Durable.SidecarCrashHost) is killed with SIGKILL
/// mid-run. Afterwards every chain completes, every step's result is recorded exactly once in history, and every step
/// ran at least once (the side-effect log may show re-runs: activities run at least once).
/// </summary>
public static class SidecarCrashHostProcess
{
    public static string DllPath
    {
        get
        {
            // Same configuration and framework as this test assembly: bin/<configuration>/<tfm>/.
            var tfm = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
            var path = Path.Combine(RepoPaths.Root, "tests", "Pipeline.Durable.SidecarCrashHost", "bin", tfm.Parent!.Name, tfm.Name, "Pipeline.Durable.SidecarCrashHost.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("The crash host is not built; it is built with this test project (see its ProjectReference).", path);
        }
    }

    /// <summary>Checks the outcome through a sidecar (without a worker) on the same task hub.</summary>
    public static async Task AssertEveryChainFinishedExactlyOnceAsync(SidecarHost sidecar, List<StepRun> log)
    {
        foreach (var id in ChainIds)
        {
            var state = await sidecar.Client.GetInstanceAsync(id, getInputsAndOutputs: true);
            Assert.NotNull(state);
            Assert.True(state.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{id} is {state.RuntimeStatus}: {state.FailureDetails?.ErrorMessage}");
            Assert.Equal(ExpectedOutput, state.ReadOutputAs<string>());

            var history = await SidecarBehaviour.ReadHistoryAsync(sidecar, id);
            var scheduled = history.Where(e => e.EventTypeCase == P.HistoryEvent.EventTypeOneofCase.TaskScheduled).Select(e => e.EventId).ToList();
            var completed = history.Where(e => e.EventTypeCase == P.HistoryEvent.EventTypeOneofCase.TaskCompleted).Select(e => e.TaskCompleted.TaskScheduledId).ToList();
            Assert.True(scheduled.Count == Steps && scheduled.Distinct().Count() == Steps, $"{id}: scheduled {string.Join(",", scheduled)}");
            Assert.True(completed.Order().SequenceEqual(scheduled.Order()),
                $"{id}: each scheduled step must complete exactly once; scheduled {string.Join(",", scheduled)}, completed {string.Join(",", completed)}");
            Assert.DoesNotContain(history, e => e.EventTypeCase == P.HistoryEvent.EventTypeOneofCase.TaskFailed);
            for (var index = 0; index < Steps; index++)
                Assert.True(log.Any(r => r.InstanceId == id && r.Index == index), $"the log has no run of {id} step {index}");
        }
    }
}

/// <summary>On SQLite one process owns the file: the next process on it takes over the killed one's work at start.</summary>
public sealed class SqliteSidecarCrashRecovery(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pipeline-sidecar-crash-").FullName;

    [Fact]
    public async Task Chains_of_a_killed_process_are_finished_by_the_next_one_with_each_step_recorded_once()
    {
        var database = Path.Combine(_directory, "taskhub.db");
        var logs = Path.Combine(_directory, "logs");
        int killedPid;
        await using (var first = ChildProcess.Start(SidecarCrashHostProcess.DllPath, ["sqlite", database, "--log-dir", logs, "--schedule", $"{Chains}", "--length", $"{Steps}"]))
        {
            await first.WaitForOutputAsync("ready", TimeSpan.FromSeconds(60));
            killedPid = first.Id;
            await WaitForLogAsync(logs, log => log.Count >= 15, "15 step runs");
            first.Kill();
            Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(10)), "the killed process did not exit");
        }
        var runsBeforeKill = ReadLog(logs).Count;
        Assert.True(runsBeforeKill < Chains * Steps, $"the process finished all {runsBeforeKill} steps before it was killed");

        await using (var second = ChildProcess.Start(SidecarCrashHostProcess.DllPath, ["sqlite", database, "--log-dir", logs, "--exit-when-done"]))
        {
            await second.WaitForOutputAsync($"done: {Chains} finished", TimeSpan.FromSeconds(120));
            Assert.True(await second.WaitForExitAsync(TimeSpan.FromSeconds(30)), $"the second process did not exit:\n{second.Output}");
            Assert.Equal(0, second.ExitCode);
        }

        var log = ReadLog(logs);
        output.WriteLine($"{runsBeforeKill} step runs before the kill, {log.Count} in all ({log.Count - Chains * Steps} re-runs)");
        Assert.Contains(log, r => r.Pid != killedPid);
        await using var sidecar = await SidecarHost.StartAsync(new SqliteTaskHub(database), output);
        await SidecarCrashHostProcess.AssertEveryChainFinishedExactlyOnceAsync(sidecar, log);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a process being torn down; the temp directory is cleaned by the OS.
        }
    }
}

/// <summary>
/// On PostgreSQL two processes share the task hub; one is killed. The survivor takes over the dead one's work when its
/// 2 s leases lapse (on the database's clock).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSidecarCrashRecovery(PostgresClusterFixture postgres, ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pipeline-sidecar-crash-").FullName;

    [Fact]
    public async Task Chains_survive_one_of_two_processes_being_killed_with_each_step_recorded_once()
    {
        var connectionString = await postgres.CreateDatabaseAsync("sidecarcrash");
        const string schema = "crash";
        var logs = Path.Combine(_directory, "logs");
        await using var sidecar = await SidecarHost.StartAsync(new PostgresTaskHub(connectionString, schema), output);
        foreach (var id in ChainIds)
            await sidecar.Client.ScheduleNewOrchestrationInstanceAsync("Chain", Steps, new StartOrchestrationOptions { InstanceId = id });

        string[] hostArgs = ["postgres", connectionString, schema, "--log-dir", logs, "--lease", "2"];
        await using var doomed = ChildProcess.Start(SidecarCrashHostProcess.DllPath, hostArgs);
        await using var survivor = ChildProcess.Start(SidecarCrashHostProcess.DllPath, hostArgs);
        await Task.WhenAll(doomed.WaitForOutputAsync("ready", TimeSpan.FromSeconds(60)), survivor.WaitForOutputAsync("ready", TimeSpan.FromSeconds(60)));
        await WaitForLogAsync(logs, log => log.Count >= 15 && log.Any(r => r.Pid == doomed.Id) && log.Any(r => r.Pid == survivor.Id), "15 step runs by both processes");
        doomed.Kill();
        Assert.True(await doomed.WaitForExitAsync(TimeSpan.FromSeconds(10)), "the killed process did not exit");
        var runsByDoomed = ReadLog(logs).Count(r => r.Pid == doomed.Id);
        Assert.True(runsByDoomed < Chains * Steps, "the killed process had done every step before it was killed");

        foreach (var id in ChainIds) await sidecar.WaitForCompletionAsync(id, TimeSpan.FromSeconds(120));

        var log = ReadLog(logs);
        output.WriteLine($"killed process ran {runsByDoomed} steps, survivor {log.Count(r => r.Pid == survivor.Id)} ({log.Count - Chains * Steps} re-runs)");
        Assert.False(survivor.HasExited, $"the surviving process exited:\n{survivor.Output}");
        await SidecarCrashHostProcess.AssertEveryChainFinishedExactlyOnceAsync(sidecar, log);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a process being torn down; the temp directory is cleaned by the OS.
        }
    }
}
