using Pipeline.Durable.Storage.Postgres;
using Pipeline.Durable.Storage.Sqlite;
using Pipeline.Testing;
using Xunit.Abstractions;
using static Pipeline.Durable.Tests.CrashWorkerProcess;

namespace Pipeline.Durable.Tests;

/// <summary>
/// A worker process killed with SIGKILL mid-run, on the embedded store: the next process on the same file
/// finishes every chain, recording each step once. One process owns a SQLite file at a time, so the worker
/// schedules the chains itself and the test reads the store after the last worker has gone.
/// </summary>
public sealed class SqliteCrashRecovery(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pipeline-durable-crash-").FullName;

    [EngineFact]
    public async Task Chains_of_a_killed_worker_are_finished_by_the_next_worker_with_each_step_recorded_once()
    {
        var database = Path.Combine(_directory, "durable.db");
        var logs = Path.Combine(_directory, "logs");

        int killedPid;
        await using (var first = await StartAsync("sqlite", database, "--log-dir", logs, "--schedule", $"{Chains}", "--length", $"{Steps}"))
        {
            killedPid = first.Id;
            await WaitForLogAsync(logs, log => log.Count >= 15, "15 step runs");
            first.Kill();
            Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(10)), "the killed worker did not exit");
        }
        var runsBeforeKill = ReadLog(logs).Count;
        Assert.True(runsBeforeKill < Chains * Steps, $"the worker finished all {runsBeforeKill} steps before it was killed");

        await using (var second = ChildProcess.Start(DllPath, ["sqlite", database, "--log-dir", logs, "--exit-when-done"]))
        {
            await second.WaitForOutputAsync($"done: {Chains} finished", TimeSpan.FromSeconds(60));
            Assert.True(await second.WaitForExitAsync(TimeSpan.FromSeconds(20)), $"the second worker did not exit:\n{second.Output}");
            Assert.Equal(0, second.ExitCode);
        }

        var log = ReadLog(logs);
        output.WriteLine($"{runsBeforeKill} step runs before the kill, {log.Count} in all ({log.Count - Chains * Steps} re-runs)");
        Assert.Contains(log, r => r.Pid != killedPid);
        await using var store = new SqliteOrchestrationStore(database);
        await store.InitializeAsync();
        await AssertEveryChainFinishedExactlyOnceAsync(new DurableTaskClient(store), log);
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// Two worker processes share one PostgreSQL store; one is killed with SIGKILL mid-run. The survivor takes over
/// the dead worker's work when its 2 s leases lapse, and every chain finishes with each step recorded once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresCrashRecovery(PostgresClusterFixture postgres, ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pipeline-durable-crash-").FullName;

    [EngineFact]
    public async Task Chains_survive_one_of_two_worker_processes_being_killed_with_each_step_recorded_once()
    {
        var connectionString = await postgres.CreateDatabaseAsync("crash");
        var logs = Path.Combine(_directory, "logs");
        await using var store = new PostgresOrchestrationStore(connectionString);
        await store.InitializeAsync();
        var client = new DurableTaskClient(store);
        foreach (var id in ChainIds)
            await client.ScheduleNewOrchestrationInstanceAsync("Chain", Steps, new StartOrchestrationOptions(id));

        string[] workerArgs = ["postgres", connectionString, "--log-dir", logs, "--lease", "2", "--max-activities", "4"];
        await using var doomed = ChildProcess.Start(DllPath, workerArgs);
        await using var survivor = ChildProcess.Start(DllPath, workerArgs);
        await Task.WhenAll(doomed.WaitForOutputAsync("ready", TimeSpan.FromSeconds(30)), survivor.WaitForOutputAsync("ready", TimeSpan.FromSeconds(30)));
        // Both share the load before one dies.
        await WaitForLogAsync(logs, log => log.Count >= 15 && log.Any(r => r.Pid == doomed.Id) && log.Any(r => r.Pid == survivor.Id),
            "15 step runs by both workers");
        doomed.Kill();
        Assert.True(await doomed.WaitForExitAsync(TimeSpan.FromSeconds(10)), "the killed worker did not exit");
        var runsByDoomed = ReadLog(logs).Count(r => r.Pid == doomed.Id);
        Assert.True(runsByDoomed > 0, "the killed worker ran no steps before it was killed");
        Assert.True(runsByDoomed < Chains * Steps, "the killed worker had done every step before it was killed");

        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            foreach (var id in ChainIds) await client.WaitForInstanceCompletionAsync(id, ct: timeout.Token);
        }

        var log = ReadLog(logs);
        var runsBySurvivor = log.Count(r => r.Pid == survivor.Id);
        output.WriteLine($"killed worker ran {runsByDoomed} steps, survivor {runsBySurvivor} ({log.Count - Chains * Steps} re-runs)");
        Assert.True(runsBySurvivor > 0, "the surviving worker ran no steps");
        Assert.False(survivor.HasExited, $"the surviving worker exited:\n{survivor.Output}");
        await AssertEveryChainFinishedExactlyOnceAsync(client, log);
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
