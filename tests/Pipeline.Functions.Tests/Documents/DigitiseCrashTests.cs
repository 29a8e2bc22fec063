using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Xunit.Abstractions;

namespace Pipeline.Functions.Tests.Documents;

/// <summary>
/// SIGKILL while pages are read — of the host and its worker (a power cut), or of the worker alone (the host restarts
/// it) — and every document still finishes, nothing lost or doubled.
/// </summary>
[RunsLong(345)]
public sealed class DigitiseCrashTests(ITestOutputHelper output)
{
    [CorpusFact]
    public async Task Documents_being_read_when_the_app_is_killed_finish_after_restart_with_their_records_and_outputs_intact()
    {
        // Short leases so the dead process's claimed pages are handed out again within seconds.
        var workingDirectory = PipelineApp.CreateWorkingDirectory(json => json.Replace("\"leaseDuration\": \"00:00:30\"", "\"leaseDuration\": \"00:00:03\""));
        var scans = new[] { "doc001", "doc002", "doc003" }.Select(d => DocumentsHttp.Corpus("vn-official", d, "scan.pdf")).ToArray();
        try
        {
            List<string> ids;
            await using (var first = await PipelineApp.StartAsync(workingDirectory))
            {
                using var client = first.CreateClient();
                ids = [.. (await client.UploadAcceptedAsync(null, scans)).Select(e => e.GetProperty("documentId").GetString()!)];

                await WaitUntilPagesAreReadAsync(client, ids);
                await first.CrashAsync();
            }

            await using var second = await PipelineApp.StartAsync(workingDirectory);
            using var after = second.CreateClient();
            await VerifyAsync(after, ids, scans, workingDirectory);
        }
        finally
        {
            PipelineApp.DeleteDirectory(workingDirectory);
        }
    }

    [CorpusFact]
    public async Task Documents_being_read_when_the_worker_is_killed_finish_once_the_host_has_restarted_it()
    {
        var workingDirectory = PipelineApp.CreateWorkingDirectory(json => json.Replace("\"leaseDuration\": \"00:00:30\"", "\"leaseDuration\": \"00:00:03\""));
        var scans = new[] { "doc001", "doc002", "doc003" }.Select(d => DocumentsHttp.Corpus("vn-official", d, "scan.pdf")).ToArray();
        try
        {
            await using var app = await PipelineApp.StartAsync(workingDirectory);
            using var client = app.CreateClient();
            var ids = (await client.UploadAcceptedAsync(null, scans)).Select(e => e.GetProperty("documentId").GetString()!).ToList();
            await WaitUntilPagesAreReadAsync(client, ids);

            var worker = (await WorkerProcessIdAsync(client))!.Value;
            Assert.NotEqual(app.Process.Id, worker);
            using (var process = Process.GetProcessById(worker)) process.Kill();
            output.WriteLine($"Killed the worker, pid {worker}");

            // The host restarts its worker; the work it had is handed out again.
            var clock = Stopwatch.StartNew();
            int? restarted = null;
            while (restarted is null || restarted == worker)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the host did not restart its worker");
                await Task.Delay(200);
                restarted = await WorkerProcessIdAsync(client, required: false);
            }
            output.WriteLine($"New worker, pid {restarted}");
            await VerifyAsync(client, ids, scans, workingDirectory);
        }
        finally
        {
            PipelineApp.DeleteDirectory(workingDirectory);
        }
    }

    /// <summary>Waits until some page is being read and no document is finished, then a moment more.</summary>
    private static async Task WaitUntilPagesAreReadAsync(HttpClient client, IReadOnlyList<string> ids)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var statuses = await Task.WhenAll(ids.Select(async id => (await client.GetDocumentAsync(id)).GetProperty("status").GetString()));
            Assert.DoesNotContain("Digitised", statuses);
            if (statuses.Contains("Digitising")) break;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "no document started digitising");
            await Task.Delay(50);
        }
        await Task.Delay(1500);
    }

    /// <summary>The worker's pid from the host's status (<c>GET /admin/host/status</c>, master key); null while it has none.</summary>
    private static async Task<int?> WorkerProcessIdAsync(HttpClient client, bool required = true)
    {
        using var response = await client.GetAsync("/admin/host/status");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"host status answered {(int)response.StatusCode}: {body}");
        var status = JsonDocument.Parse(body).RootElement;
        if (status.GetProperty("worker") is { ValueKind: JsonValueKind.Object } worker) return worker.GetProperty("processId").GetInt32();
        Assert.False(required, $"the host has no worker: {body}");
        return null;
    }

    /// <summary>Every document finished once, with its original, text and fields; the audit chain intact; no upload left half-stored.</summary>
    private async Task VerifyAsync(HttpClient after, IReadOnlyList<string> ids, string[] scans, string workingDirectory)
    {
        for (var i = 0; i < ids.Count; i++)
        {
            var document = await after.WaitForDocumentAsync(ids[i], TimeSpan.FromMinutes(4));
            Assert.Contains(document.GetProperty("status").GetString(), new[] { "Digitised", "NeedsReview" });
            Assert.NotNull(document.GetProperty("fields").GetProperty("code").GetProperty("value").GetString());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(scans[i]))), document.GetProperty("sha256").GetString());
            Assert.Equal(File.ReadAllBytes(scans[i]), await after.GetByteArrayAsync(document.GetProperty("links").GetProperty("original").GetString()));
            var text = await after.GetStringAsync(document.GetProperty("links").GetProperty("text").GetString());
            Assert.Equal(document.GetProperty("pages").GetInt32(), text.Split('\f').Length);

            using var audit = await after.GetAsync($"/api/documents/{ids[i]}/audit");
            var actions = JsonDocument.Parse(await audit.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
            output.WriteLine($"{ids[i]}: {string.Join(", ", actions)}");
            Assert.Equal(1, actions.Count(a => a == "uploaded"));
            Assert.Equal(1, actions.Count(a => a is "digitised" or "needs-review"));
            Assert.Contains(actions.Last(a => !a!.StartsWith("opened-")), new[] { "digitised", "needs-review" });
        }

        using var verify = await after.GetAsync("/api/audit/verify");
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
        Assert.True(JsonDocument.Parse(await verify.Content.ReadAsStringAsync()).RootElement.GetProperty("intact").GetBoolean());
        Assert.Empty(Directory.GetFiles(Path.Combine(workingDirectory, "data", "blobs", "incoming")));
    }
}
