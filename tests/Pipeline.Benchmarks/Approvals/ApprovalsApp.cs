using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Testing;

namespace Pipeline.Benchmarks.Approvals;

/// <summary>
/// The real app, one process on the embedded default (SQLite store, mail to the outbox folder), in a fresh temporary
/// working directory. Like <see cref="AppDeployment"/>, but with its own host.json copy: the review threshold at 0 so
/// the benchmark's text-only documents end Digitised rather than NeedsReview (only Digitised ones can be sent for
/// approval), and the link pages' per-address request limit raised, since this one client address stands in for
/// hundreds of approvers deciding back to back (the limiter is not what is measured).
/// </summary>
internal sealed class ApprovalsApp : IAsyncDisposable
{
    private readonly string _workDir = Directory.CreateTempSubdirectory("pipeline-bench-approvals-").FullName;
    private ChildProcess? _process;

    /// <summary>The admin API: base address set, admin key in <c>x-functions-key</c>.</summary>
    public HttpClient Api { get; private set; } = null!;

    /// <summary>What an approver's browser is: no key, no redirects followed (a redirect after the POST is an answer too).</summary>
    public HttpClient Links { get; private set; } = null!;

    public string DataDir => Path.Combine(_workDir, "data");
    public int ProcessId => _process?.Id ?? 0;
    public string Output => _process?.Output ?? "";

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

            var dll = Path.Combine(RepoPaths.Root, "functions", "Pipeline.Functions", "bin", "Release", "net10.0", "Pipeline.Functions.dll");
            if (!File.Exists(dll)) throw new FileNotFoundException("Build the app first: dotnet build -c Release (the benchmark project does it).", dll);
            var url = $"http://127.0.0.1:{AppDeployment.FreePort()}";
            var env = new Dictionary<string, string?>
            {
                ["PIPELINE_DATA"] = app.DataDir,
                ["PIPELINE_DURABLE__STORE"] = "sqlite",
                ["PIPELINE_DURABLE__POSTGRES"] = null, // the embedded default whatever this shell has set
                ["PIPELINE_SMTP__HOST"] = null,        // mail to the outbox folder, the embedded default
                ["ASPNETCORE_URLS"] = null,
                ["Logging__LogLevel__Default"] = "Warning",
            };
            app._process = ChildProcess.Start(dll, ["--urls", url], app._workDir, env);
            await app._process.WaitForOutputAsync("Pipeline listening on", TimeSpan.FromSeconds(60));
            var key = (await File.ReadAllTextAsync(Path.Combine(app.DataDir, "admin.key"))).Trim();
            app.Api = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };
            app.Api.DefaultRequestHeaders.Add("x-functions-key", key);
            app.Links = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, MaxConnectionsPerServer = 64 })
                { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>CPU seconds (utime+stime) the app process has used so far.</summary>
    public double CpuSeconds()
    {
        var fields = File.ReadAllText($"/proc/{ProcessId}/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0; // USER_HZ
    }

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
        if (_process is not null) await _process.DisposeAsync();
        try { Directory.Delete(_workDir, recursive: true); } catch (IOException) { }
    }
}
