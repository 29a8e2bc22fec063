using System.Net;

namespace Pipeline.Host.Tests.Durable;

/// <summary>
/// A work item that keeps killing its worker is failed after host.json's <c>maxWorkItemAttempts</c>, with its reason,
/// and a failed instance is rewound through the management API — both through the host and the real worker (SQLite).
/// </summary>
public sealed class PoisonAndRewindTests(PoisonAndRewindTests.Host fixture) : IClassFixture<PoisonAndRewindTests.Host>
{
    /// <summary>One host for the class: at most 3 attempts per work item; FailsOnce and its parent are public.</summary>
    public sealed class Host : IAsyncLifetime
    {
        /// <summary>The started host.</summary>
        public HostProcess Process { get; private set; } = null!;

        /// <inheritdoc/>
        public async Task InitializeAsync() => Process = await HostProcess.StartAsync(DurableHostJson.Create(
            durableExtra: "\"maxWorkItemAttempts\": 3,",
            publicOrchestrations: "\"HelloSequence\", \"FailsOnce\", \"FailsOnceParent\""));

        /// <inheritdoc/>
        public async Task DisposeAsync()
        {
            if (Process is not null) await Process.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_activity_that_kills_its_worker_every_time_fails_after_maxWorkItemAttempts_and_the_host_keeps_working()
    {
        using var durable = new DurableClient(fixture.Process);
        var firstWorker = (await durable.HostStatusAsync()).GetProperty("worker").GetProperty("processId").GetInt32();

        var id = await durable.StartAsync("CallsPoison", "crash");
        // Each attempt kills the worker; the host restarts it (1 s, 2 s, 4 s backoff) and hands the activity out again,
        // three times in all, then records the activity as failed so the orchestrator sees why.
        var status = await durable.WaitForFinishAsync(id, TimeSpan.FromMinutes(2));
        Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
        var output = status.GetProperty("output").GetString()!;
        Assert.StartsWith("failed: ", output);
        Assert.Contains("'Poison' was handed out 3 times without a result", output);

        // The poison is gone and the restarted worker runs everything else.
        Assert.NotEqual(firstWorker, (await durable.HostStatusAsync()).GetProperty("worker").GetProperty("processId").GetInt32());
        var hello = await durable.RunAsync("HelloSequence");
        Assert.Equal("Completed", hello.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("FailsOnce")]
    [InlineData("FailsOnceParent")]
    public async Task A_failed_instance_rewound_through_the_management_api_completes_and_a_completed_one_cannot_be_rewound(string orchestration)
    {
        using var durable = new DurableClient(fixture.Process);
        var id = await durable.StartAsync(orchestration);
        var failed = await durable.WaitForFinishAsync(id);
        Assert.Equal("Failed", failed.GetProperty("runtimeStatus").GetString());
        Assert.Contains("Flaky failure 1", failed.GetRawText());

        using (var rewind = await durable.Admin.PostAsync($"runtime/webhooks/durabletask/instances/{id}/rewind?reason=fixed", null))
            Assert.Equal(HttpStatusCode.Accepted, rewind.StatusCode);
        var rewound = await durable.WaitForFinishAsync(id);
        Assert.Equal("Completed", rewound.GetProperty("runtimeStatus").GetString());
        Assert.Equal("ok after 2 attempts", rewound.GetProperty("output").GetString());

        var problem = await Problems.AssertProblemAsync(
            await durable.Admin.PostAsync($"runtime/webhooks/durabletask/instances/{id}/rewind?reason=again", null), HttpStatusCode.Conflict);
        Assert.Contains(id, problem.Title());
    }
}
