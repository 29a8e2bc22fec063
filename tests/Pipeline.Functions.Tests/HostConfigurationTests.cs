using Microsoft.Extensions.Configuration;
using Pipeline.Durable;
using Pipeline.Functions.Hosting;
using Pipeline.Testing;

namespace Pipeline.Functions.Tests;

/// <summary>host.json and PIPELINE_* environment mapping, without starting the app.</summary>
public sealed class HostConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-config-").FullName;

    public void Dispose() => PipelineApp.DeleteDirectory(_dir);

    [Fact]
    public void Repo_host_json_sets_concurrency_leases_polling_retry_and_function_timeout()
    {
        var options = HostJson.Read(Path.Combine(RepoPaths.Root, "host.json"));
        var worker = options.ToWorkerOptions();

        Assert.Equal(32, worker.MaxConcurrentOrchestrations);
        Assert.Equal(32, worker.MaxConcurrentActivities);
        Assert.Equal(TimeSpan.FromSeconds(30), worker.LeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(1), worker.MaxPollingInterval);
        Assert.Equal(TimeSpan.FromMinutes(10), worker.ActivityTimeout);
        Assert.Equal(new RetryPolicy(3, TimeSpan.FromSeconds(5), 2.0, TimeSpan.FromMinutes(5)), worker.DefaultActivityRetry);
        Assert.Equal("sqlite", options.DurableTask.StorageProvider.Type);
        Assert.Null(options.DurableTask.StorageProvider.ConnectionString);
    }

    [Fact]
    public void Empty_host_json_keeps_the_engine_defaults()
    {
        var worker = HostJson.Parse("{}").ToWorkerOptions();
        var defaults = new DurableTaskWorkerOptions();

        Assert.Equal(defaults.MaxConcurrentOrchestrations, worker.MaxConcurrentOrchestrations);
        Assert.Equal(defaults.MaxConcurrentActivities, worker.MaxConcurrentActivities);
        Assert.Equal(defaults.LeaseDuration, worker.LeaseDuration);
        Assert.Equal(defaults.MaxPollingInterval, worker.MaxPollingInterval);
        Assert.Null(worker.DefaultActivityRetry);
        Assert.Null(worker.ActivityTimeout);
    }

    [Fact]
    public void Host_json_may_have_comments_and_unlimited_function_timeout()
    {
        var options = HostJson.Parse("""
            {
              // as in Azure Functions
              "functionTimeout": "-1",
              "extensions": { "durableTask": { "maxConcurrentActivityFunctions": 4, "storageProvider": { "type": "Postgres" } } },
            }
            """);

        Assert.Null(options.FunctionTimeout);
        Assert.Equal(4, options.ToWorkerOptions().MaxConcurrentActivities);
        Assert.Equal("postgres", options.DurableTask.StorageProvider.Type);
    }

    [Fact]
    public void Repo_host_json_sets_the_intake_limits_and_OCR_languages()
    {
        var options = HostJson.Read(Path.Combine(RepoPaths.Root, "host.json"));

        Assert.Equal(200L * 1024 * 1024, options.Intake.MaxFileBytes);
        Assert.Equal(1000, options.Intake.MaxPages);
        Assert.Equal(40_000_000, options.Intake.MaxPixelsPerPage);
        Assert.Equal(250_000_000, options.Intake.MaxImagePixels);
        Assert.Equal("vie+eng", options.Digitise.Languages);
        Assert.Equal(Environment.ProcessorCount, options.Digitise.EffectiveParallelPages);
        Assert.Equal(3, HostJson.Parse("""{"pipeline":{"digitise":{"maxParallelPages":3}}}""").Digitise.EffectiveParallelPages);
    }

    [Theory]
    [InlineData("""{"pipeline":{"intake":{"maxFileBytes":"big"}}}""", "pipeline.intake.maxFileBytes")]
    [InlineData("""{"pipeline":{"digitise":{"languages":"vie; rm -rf /"}}}""", "pipeline.digitise.languages")]
    [InlineData("""{"pipeline":{"digitise":{"maxParallelPages":-1}}}""", "pipeline.digitise.maxParallelPages")]
    [InlineData("""{"pipeline":{"approvals":{"linkGrace":"P1W"}}}""", "pipeline.approvals.linkGrace")]
    [InlineData("""{"pipeline":{"approvals":{"holidays":["2027-13-01"]}}}""", "pipeline.approvals.holidays")]
    [InlineData("""{"pipeline":{"approvals":{"publicBaseUrl":"ftp://x"}}}""", "pipeline.approvals.publicBaseUrl")]
    [InlineData("""{"extensions":{"durableTask":{"leaseDuration":"soon"}}}""", "extensions.durableTask.leaseDuration")]
    [InlineData("""{"extensions":{"durableTask":{"maxConcurrentOrchestratorFunctions":0}}}""", "extensions.durableTask.maxConcurrentOrchestratorFunctions")]
    [InlineData("""{"extensions":{"durableTask":{"defaultRetry":{"backoffCoefficient":"x"}}}}""", "backoffCoefficient")]
    [InlineData("""{"functionTimeout":"ten minutes"}""", "functionTimeout")]
    public void A_bad_host_json_value_stops_startup_naming_the_setting(string json, string setting)
    {
        var error = Assert.Throws<InvalidOperationException>(() => HostJson.Parse(json));
        Assert.Contains(setting, error.Message);
    }

    [Fact]
    public void Approval_settings_add_office_holidays_to_the_built_in_ones()
    {
        var approvals = HostJson.Parse("""
            {"pipeline":{"approvals":{"linkGrace":"PT12H","holidays":["2026-12-24/2026-12-25"],"makeUpWorkingDays":["2026-12-26"],
              "publicBaseUrl":"https://pipeline.tinhuy.vn","maxFailedLinksPerMinute":5}}}
            """).Approvals;
        Assert.Equal(TimeSpan.FromHours(12), approvals.LinkGrace);
        Assert.Equal(new Uri("https://pipeline.tinhuy.vn"), approvals.PublicBaseUrl);
        Assert.Equal(5, approvals.MaxFailedLinksPerMinute);
        var calendar = approvals.Calendar();
        Assert.False(calendar.IsWorkingDay(new DateOnly(2026, 12, 24)));  // configured
        Assert.True(calendar.IsWorkingDay(new DateOnly(2026, 12, 26)));   // a configured make-up Saturday
        Assert.False(calendar.IsWorkingDay(new DateOnly(2027, 1, 1)));    // built in: New Year's Day
        Assert.Equal(TimeSpan.FromDays(1), HostJson.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "host.json"))).Approvals.LinkGrace);
    }

    [Fact]
    public void Host_json_in_the_working_directory_wins_over_the_copy_next_to_the_app()
    {
        var cwd = Directory.CreateDirectory(Path.Combine(_dir, "cwd")).FullName;
        var appDir = Directory.CreateDirectory(Path.Combine(_dir, "app")).FullName;
        File.WriteAllText(Path.Combine(appDir, "host.json"), "{}");

        Assert.Equal(Path.Combine(appDir, "host.json"), HostJson.Locate(cwd, appDir));

        File.WriteAllText(Path.Combine(cwd, "host.json"), "{}");
        Assert.Equal(Path.Combine(cwd, "host.json"), HostJson.Locate(cwd, appDir));
    }

    [Fact]
    public void Data_directory_defaults_to_data_under_the_working_directory_and_PIPELINE_DATA_overrides_it()
    {
        Assert.Equal(Path.Combine(_dir, "data"), DataDirectory.Resolve(Config(), _dir).Path);
        Assert.Equal(Path.Combine(_dir, "elsewhere"), DataDirectory.Resolve(Config(("Data", "elsewhere")), _dir).Path);
        Assert.Equal("/var/lib/pipeline", DataDirectory.Resolve(Config(("Data", "/var/lib/pipeline")), _dir).Path);
    }

    [Fact]
    public void Embedded_default_store_is_sqlite_file_durable_db_in_the_data_directory()
    {
        var data = new DataDirectory(_dir);
        var store = DurableStoreSettings.Resolve(new StorageProviderOptions(), Config(), data);

        Assert.Equal(new DurableStoreSettings("sqlite", Path.Combine(_dir, "durable.db")), store);
    }

    [Fact]
    public void A_postgres_connection_string_in_the_environment_selects_postgres_unless_the_store_is_forced_to_sqlite()
    {
        var data = new DataDirectory(_dir);
        const string cs = "Host=127.0.0.1;Username=postgres;Password=secret";

        var postgres = DurableStoreSettings.Resolve(new StorageProviderOptions(), Config(("Durable:Postgres", cs)), data);
        Assert.Equal(new DurableStoreSettings("postgres", cs), postgres);
        Assert.DoesNotContain("secret", postgres.Describe());

        var forced = DurableStoreSettings.Resolve(new StorageProviderOptions(), Config(("Durable:Postgres", cs), ("Durable:Store", "sqlite")), data);
        Assert.Equal("sqlite", forced.Kind);
    }

    [Fact]
    public void Postgres_from_host_json_uses_its_connection_string_and_without_one_says_what_to_set()
    {
        var data = new DataDirectory(_dir);

        var fromHostJson = DurableStoreSettings.Resolve(new StorageProviderOptions("postgres", "Host=db"), Config(), data);
        Assert.Equal(new DurableStoreSettings("postgres", "Host=db"), fromHostJson);

        var error = Assert.Throws<InvalidOperationException>(() => DurableStoreSettings.Resolve(new StorageProviderOptions("postgres"), Config(), data));
        Assert.Contains("PIPELINE_DURABLE__POSTGRES", error.Message);

        var unknown = Assert.Throws<InvalidOperationException>(() => DurableStoreSettings.Resolve(new StorageProviderOptions(), Config(("Durable:Store", "mongo")), data));
        Assert.Contains("mongo", unknown.Message);
    }

    [Fact]
    public void Admin_key_file_is_created_owner_only_once_and_only_the_exact_key_matches()
    {
        var path = Path.Combine(_dir, "keys", "admin.key");

        var first = AdminKey.LoadOrCreate(path);
        var key = File.ReadAllText(path);
        var again = AdminKey.LoadOrCreate(path);

        Assert.Equal(43, key.Length); // 32 bytes, base64url without padding
        Assert.Matches("^[A-Za-z0-9_-]+$", key);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(key, File.ReadAllText(path));
        Assert.True(first.Matches(key));
        Assert.True(again.Matches(key));
        Assert.False(again.Matches(key[..^1]));
        Assert.False(again.Matches(key + "x"));
        Assert.False(again.Matches(""));
        Assert.False(again.Matches(null));
        Assert.DoesNotContain(key, again.ToString());
    }

    private static IConfiguration Config(params (string Key, string Value)[] values)
        => new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();
}
