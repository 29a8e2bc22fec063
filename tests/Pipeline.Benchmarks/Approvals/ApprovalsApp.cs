using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Testing;

namespace Pipeline.Benchmarks.Approvals;

/// <summary>
/// The real app — our host with the app as its worker (<see cref="HostedApp"/>) — on the embedded default (SQLite
/// store, mail to the outbox folder), in a fresh temporary working directory. Like <see cref="AppDeployment"/>, but with its own host.json copy: the review threshold at 0 so
/// the benchmark's text-only documents end Digitised rather than NeedsReview (only Digitised ones can be sent for
/// approval), and the link pages' per-address request limit raised, since this one client address stands in for
/// hundreds of approvers deciding back to back (the limiter is not what is measured).
/// </summary>
internal sealed class ApprovalsApp : IAsyncDisposable
{
    private readonly string _workDir = Directory.CreateTempSubdirectory("pipeline-bench-approvals-").FullName;
    private HostedApp? _app;

    /// <summary>The admin API: base address set, admin key in <c>x-functions-key</c>.</summary>
    public HttpClient Api { get; private set; } = null!;

    /// <summary>What an approver's browser is: no key, no redirects followed (a redirect after the POST is an answer too).</summary>
    public HttpClient Links { get; private set; } = null!;

    public string DataDir => Path.Combine(_workDir, "data");
    /// <summary>The host's pid (the worker's: <see cref="WorkerProcessId"/>).</summary>
    public int ProcessId => _app?.Host.Id ?? 0;
    public int WorkerProcessId => _app?.WorkerProcessId ?? 0;
    public string Output => _app?.Output ?? "";

    public static async Task<ApprovalsApp> StartAsync()
    {
        var app = new ApprovalsApp();
        try
        {
            var host = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "host.json")), null,
                new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
            var pipeline = Section(host, "pipeline");
            Section(pipeline, "extraction")["reviewThreshold"] = 0.0;
            Section(pipeline, "approvals")["maxLinkRequestsPerMinute"] = 10_000_000;
            await File.WriteAllTextAsync(Path.Combine(app._workDir, "host.json"), host.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

            var env = new Dictionary<string, string?>
            {
                ["PIPELINE_DURABLE__STORE"] = "sqlite", // the embedded default whatever this shell has set
                ["PIPELINE_SMTP__HOST"] = null,        // mail to the outbox folder, the embedded default
            };
            app._app = await HostedApp.StartAsync(app._workDir, app.DataDir, env);
            app.Api = app._app.CreateClient(timeout: TimeSpan.FromMinutes(2));
            app.Links = app._app.CreateClient(withKey: false, followRedirects: false, timeout: TimeSpan.FromMinutes(2));
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>CPU seconds (utime+stime) host and worker have used so far.</summary>
    public double CpuSeconds() => _app?.CpuSeconds() ?? 0;

    private static JsonObject Section(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject existing) return existing;
        var created = new JsonObject();
        parent[name] = created;
        return created;
    }

    public async ValueTask DisposeAsync()
    {
        Api?.Dispose();
        Links?.Dispose();
        if (_app is not null) await _app.DisposeAsync();
        try { Directory.Delete(_workDir, recursive: true); } catch (IOException) { }
    }
}
