using System.Diagnostics;
using System.Text.Json;

namespace Pipeline.Host.Tests.Durable;

/// <summary>SIGKILL of the host mid-run and a 10 000-activity fan-out, each on its own host (SQLite).</summary>
public sealed class DurableCrashAndScaleTests
{
    [Fact]
    public async Task Host_killed_mid_run_restarts_on_the_same_data_and_every_instance_completes_with_every_result_once()
    {
        var first = await HostProcess.StartAsync(DurableHostJson.Create());
        try
        {
            string[] ids;
            int workerPid;
            using (var client = new DurableClient(first))
            {
                ids = [await client.StartAsync("Recorded", 60), await client.StartAsync("Recorded", 60), await client.StartAsync("Recorded", 60)];
                var log = Path.Combine(first.DataDirectory, "record.log");
                await first.PollAsync(() => Task.FromResult(File.Exists(log) && File.ReadAllLines(log).Length >= 30), "some activities ran", TimeSpan.FromSeconds(60));
                workerPid = (await client.HostStatusAsync()).GetProperty("worker").GetProperty("processId").GetInt32();
            }
            await first.KillKeepingDataAsync();
            // The worker is not the host's child any more once the host is gone; a real crash may leave it behind too.
            try { Process.GetProcessById(workerPid).Kill(); } catch (ArgumentException) { }

            await using var second = await HostProcess.StartAsync(DurableHostJson.Create(), workingDirectory: first.WorkingDirectory);
            using var again = new DurableClient(second);
            foreach (var id in ids)
            {
                var status = await again.WaitForFinishAsync(id, TimeSpan.FromSeconds(90));
                Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
                Assert.Equal(Enumerable.Range(0, 60).Select(i => $"{id}:{i}"), status.GetProperty("output").EnumerateArray().Select(e => e.GetString()));
            }
        }
        finally
        {
            await first.DisposeAsync();
        }
    }

    [Fact]
    public async Task Ten_thousand_activity_fan_out_completes_with_bounded_host_memory()
    {
        await using var host = await HostProcess.StartAsync(DurableHostJson.Create());
        using var client = new DurableClient(host);
        var clock = Stopwatch.StartNew();
        var id = await client.StartAsync("FanOut", 10_000);
        // A generous bound: this checks completion and memory, not speed (the durable benchmark measures speed); a busy
        // 2-core machine has needed over two minutes.
        var status = await client.WaitForFinishAsync(id, TimeSpan.FromMinutes(6));
        var elapsed = clock.Elapsed;
        Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
        var output = status.GetProperty("output");
        Assert.Equal(10_000, output.GetArrayLength());
        Assert.Equal(9_999L * 9_999, output[9_999].GetInt64());
        var peak = host.PeakResidentBytes();
        Assert.True(peak < 400L * 1024 * 1024, $"The host's peak RSS was {peak / (1024 * 1024)} MB (fan-out took {elapsed.TotalSeconds:F1} s).");
    }
}
