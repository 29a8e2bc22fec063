using System.Collections;
using Microsoft.Extensions.Configuration;
using Pipeline.Functions.Hosting;
using Pipeline.Testing;

namespace Pipeline.Functions.Tests;

/// <summary>host.json's pipeline section, PIPELINE_* overrides, the data directory and the clock file, without starting the app.</summary>
public sealed class HostConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-config-").FullName;

    public void Dispose() => PipelineApp.DeleteDirectory(_dir);

    [Fact]
    public void Repo_host_json_routes_at_the_root_has_no_default_retry_and_makes_only_the_diagnostics_public()
    {
        var root = new ConfigurationBuilder().AddJsonFile(Path.Combine(RepoPaths.Root, "host.json")).Build();

        Assert.Equal("", root["extensions:http:routePrefix"]);
        Assert.False(root.GetSection("extensions:durableTask:defaultRetry").Exists());
        Assert.Equal("10", root["extensions:durableTask:maxWorkItemAttempts"]);
        Assert.Equal(["diagnostics-chain", "diagnostics-fanout"],
            root.GetSection("extensions:durableTask:managementApi:publicOrchestrations").GetChildren().Select(c => c.Value));
    }

    [Fact]
    public void Host_json_may_have_comments_and_trailing_commas()
    {
        var options = HostJson.Parse("""
            {
              // as in Azure Functions
              "pipeline": { "digitise": { "maxParallelPages": 4 } },
            }
            """);

        Assert.Equal(4, options.Digitise.EffectiveParallelPages);
    }

    [Fact]
    public void PIPELINE_variables_override_the_pipeline_section_and_keep_their_short_keys()
    {
        var file = Path.Combine(_dir, "host.json");
        File.WriteAllText(file, """{"pipeline":{"digitise":{"languages":"vie+eng","pageAttempts":3}}}""");
        var configuration = new ConfigurationManager();
        HostJson.AddTo(configuration, file, new Hashtable
        {
            ["PIPELINE_DIGITISE__LANGUAGES"] = "vie",
            ["PIPELINE_SMTP__HOST"] = "mail.example.vn",
            ["OTHER_DIGITISE__LANGUAGES"] = "eng",
        });

        var options = HostJson.Read(configuration);

        Assert.Equal("vie", options.Digitise.Languages);
        Assert.Equal(3, options.Digitise.PageAttempts);
        Assert.Equal("mail.example.vn", configuration["Smtp:Host"]);
    }

    [Fact]
    public void A_bad_override_stops_startup_naming_the_setting()
    {
        var configuration = new ConfigurationManager();
        HostJson.AddTo(configuration, null, new Hashtable { ["PIPELINE_INTAKE__MAXPAGES"] = "lots" });

        var error = Assert.Throws<InvalidOperationException>(() => HostJson.Read(configuration));
        Assert.Contains("pipeline.intake.maxPages", error.Message, StringComparison.OrdinalIgnoreCase);
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
    [InlineData("""{"pipeline":{"extraction":{"reviewThreshold":2}}}""", "pipeline.extraction.reviewThreshold")]
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
    public void The_clock_file_adds_its_offset_to_real_time_and_is_reread_when_it_changes()
    {
        var path = Path.Combine(_dir, "clock.offset");
        var clock = new ClockFile(path);

        Assert.Equal(TimeSpan.Zero, clock.Offset); // no file yet
        Assert.InRange(clock.GetUtcNow() - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(-5), TimeSpan.FromSeconds(5));

        File.WriteAllText(path, "86400.5");
        Thread.Sleep(100);
        Assert.Equal(TimeSpan.FromSeconds(86400.5), clock.Offset);
        Assert.InRange(clock.GetUtcNow() - DateTimeOffset.UtcNow, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24.1));

        File.WriteAllText(path, "172800");
        Thread.Sleep(100);
        Assert.Equal(TimeSpan.FromDays(2), clock.Offset);

        File.WriteAllText(path, "");
        Thread.Sleep(100);
        Assert.Equal(TimeSpan.Zero, clock.Offset);
        Assert.Throws<FormatException>(() => ClockFile.ParseOffset("tomorrow"));
        Assert.Equal(TimeSpan.FromSeconds(-1.25), ClockFile.ParseOffset(" -1.25 "));
    }

    [Fact]
    public void Audit_names_the_host_key_a_request_carried_without_ever_writing_a_key_file()
    {
        var data = new DataDirectory(_dir);
        var names = new HostKeyNames(data);
        Assert.Equal("key", names.NameOf("something")); // no key files (e.g. on Azure)
        Assert.Equal("anonymous", names.NameOf((string?)null));
        Assert.False(File.Exists(data.AdminKeyFile));

        File.WriteAllText(data.AdminKeyFile, "admin-secret\n");
        File.WriteAllText(data.FunctionKeyFile, "function-secret");
        var withFiles = new HostKeyNames(data);
        Assert.Equal("admin-key", withFiles.NameOf("admin-secret"));
        Assert.Equal("function-key", withFiles.NameOf("function-secret"));
        Assert.Equal("key", withFiles.NameOf("admin-secre"));
    }

    private static IConfiguration Config(params (string Key, string Value)[] values)
        => new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();
}
