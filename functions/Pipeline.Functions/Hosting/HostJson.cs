using System.Globalization;
using Microsoft.Extensions.Configuration.Json;
using Pipeline.Functions.Digitise;
using Pipeline.Functions.Approval;
using Pipeline.Functions.Extraction;
using Pipeline.Functions.Intake;

namespace Pipeline.Functions.Hosting;

/// <summary>
/// Finds and reads host.json. The working directory's copy wins (the host's working directory: an operator edits the
/// file next to the data); the copy built next to the app's dll is the fallback. Comments and trailing commas are
/// allowed, as in Azure Functions. The app reads only its own <c>pipeline</c> section (the host and Microsoft's host read
/// the rest); a value that cannot be read stops startup with a message naming it.
/// </summary>
public static class HostJson
{
    /// <summary>The file name.</summary>
    public const string FileName = "host.json";

    /// <summary>Prefix of the environment variables that override host.json's <c>pipeline</c> section.</summary>
    public const string EnvironmentPrefix = "PIPELINE_";

    /// <summary>Path of the host.json to use: <paramref name="workingDirectory"/>'s, else <paramref name="appDirectory"/>'s, else null.</summary>
    public static string? Locate(string workingDirectory, string appDirectory)
    {
        foreach (var dir in new[] { workingDirectory, appDirectory })
        {
            var path = Path.GetFullPath(Path.Combine(dir, FileName));
            if (File.Exists(path)) return path;
        }
        return null;
    }

    /// <summary>
    /// Adds host.json at <paramref name="path"/> (when not null) below the sources already there, so environment
    /// variables and the command line override it; then the <c>PIPELINE_*</c> variables twice: as <c>pipeline:X:Y</c>
    /// (overriding host.json's <c>pipeline</c> section) and, as before, as <c>X:Y</c> (the settings features read
    /// directly, e.g. <c>PIPELINE_SMTP__HOST</c> → <c>Smtp:Host</c>, <c>PIPELINE_DATA</c> → <c>Data</c>).
    /// </summary>
    public static void AddTo(IConfigurationManager configuration, string? path, System.Collections.IDictionary? environment = null)
    {
        var sources = configuration.Sources;
        if (path is not null)
        {
            var json = new JsonConfigurationSource { Path = path, Optional = false, ReloadOnChange = false };
            json.ResolveFileProvider();
            sources.Insert(0, json);
        }
        var variables = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (System.Collections.DictionaryEntry entry in environment ?? Environment.GetEnvironmentVariables())
        {
            var name = (string)entry.Key;
            if (!name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) || name.Length == EnvironmentPrefix.Length) continue;
            var key = name[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal);
            variables[key] = entry.Value as string;
            variables["pipeline:" + key] = entry.Value as string;
        }
        configuration.AddInMemoryCollection(variables);
    }

    /// <summary>Reads and validates the options from a host.json file (tests, tools); defaults when <paramref name="path"/> is null.</summary>
    public static PipelineHostOptions Read(string? path)
    {
        if (path is null) return new PipelineHostOptions();
        using var stream = File.OpenRead(path);
        return Parse(stream) with { SourcePath = path };
    }

    /// <summary>Reads the options from host.json text.</summary>
    public static PipelineHostOptions Parse(string json)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        return Parse(stream);
    }

    /// <summary>Reads the options from a host.json stream.</summary>
    public static PipelineHostOptions Parse(Stream json)
    {
        IConfiguration root;
        try
        {
            root = new ConfigurationBuilder().AddJsonStream(json).Build();
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"host.json is not valid JSON: {e.InnerException?.Message ?? e.Message}", e);
        }
        return Read(root);
    }

    /// <summary>
    /// Reads and validates the <c>pipeline</c> section of <paramref name="root"/> (configuration holding host.json and
    /// its overrides). Throws <see cref="InvalidOperationException"/> naming the setting when a value is wrong.
    /// </summary>
    public static PipelineHostOptions Read(IConfiguration root)
    {
        var intake = root.GetSection("pipeline:intake");
        var digitise = root.GetSection("pipeline:digitise");
        var extraction = root.GetSection("pipeline:extraction");
        var threshold = NullIfEmpty(extraction["reviewThreshold"]);
        double reviewThreshold = new ExtractionOptions().ReviewThreshold;
        if (threshold is not null && (!double.TryParse(threshold, NumberStyles.Float, CultureInfo.InvariantCulture, out reviewThreshold) || reviewThreshold is < 0 or > 1))
            throw Invalid(extraction, "reviewThreshold", threshold, "a number from 0 to 1");
        var intakeDefaults = new IntakeLimits();
        var digitiseDefaults = new DigitiseOptions();
        var languages = NullIfEmpty(digitise["languages"]);
        if (languages is not null && !OcrLanguages.IsValid(languages)) throw Invalid(digitise, "languages", languages, "a Tesseract language list like \"vie+eng\"");

        return new PipelineHostOptions
        {
            Approvals = ReadApprovals(root.GetSection("pipeline:approvals")),
            Intake = new IntakeLimits
            {
                MaxFileBytes = ReadPositiveLong(intake, "maxFileBytes") ?? intakeDefaults.MaxFileBytes,
                MaxFilesPerUpload = ReadPositiveInt(intake, "maxFilesPerUpload") ?? intakeDefaults.MaxFilesPerUpload,
                MaxPages = ReadPositiveInt(intake, "maxPages") ?? intakeDefaults.MaxPages,
                MaxPixelsPerPage = ReadPositiveLong(intake, "maxPixelsPerPage") ?? intakeDefaults.MaxPixelsPerPage,
                MaxImagePixels = ReadPositiveLong(intake, "maxImagePixels") ?? intakeDefaults.MaxImagePixels,
                MaxTotalPixels = ReadPositiveLong(intake, "maxTotalPixels") ?? intakeDefaults.MaxTotalPixels,
            },
            Digitise = new DigitiseOptions
            {
                Languages = languages ?? digitiseDefaults.Languages,
                MaxParallelPages = ReadCount(digitise, "maxParallelPages") ?? digitiseDefaults.MaxParallelPages,
                PageAttempts = ReadPositiveInt(digitise, "pageAttempts") ?? digitiseDefaults.PageAttempts,
            },
            Extraction = new ExtractionOptions { ReviewThreshold = reviewThreshold },
        };
    }

    private static ApprovalOptions ReadApprovals(IConfigurationSection section)
    {
        var defaults = new ApprovalOptions();
        var grace = defaults.LinkGrace;
        if (NullIfEmpty(section["linkGrace"]) is { } graceText)
        {
            try { grace = WorkingDayCalendar.ParseDue(graceText); }
            catch (FormatException e) { throw new InvalidOperationException($"host.json: pipeline.approvals.linkGrace: {e.Message}", e); }
        }
        Uri? baseUrl = null;
        if (NullIfEmpty(section["publicBaseUrl"]) is { } urlText
            && (!Uri.TryCreate(urlText, UriKind.Absolute, out baseUrl) || baseUrl.Scheme is not ("http" or "https")))
            throw Invalid(section, "publicBaseUrl", urlText, "an http or https address like \"https://pipeline.example.vn\"");
        return new ApprovalOptions
        {
            LinkGrace = grace,
            Holidays = ReadDates(section, "holidays"),
            MakeUpWorkingDays = ReadDates(section, "makeUpWorkingDays"),
            PublicBaseUrl = baseUrl,
            MaxFailedLinksPerMinute = ReadPositiveInt(section, "maxFailedLinksPerMinute") ?? defaults.MaxFailedLinksPerMinute,
            MaxLinkRequestsPerMinute = ReadPositiveInt(section, "maxLinkRequestsPerMinute") ?? defaults.MaxLinkRequestsPerMinute,
        };
    }

    private static IReadOnlySet<DateOnly> ReadDates(IConfigurationSection section, string key)
    {
        var entries = section.GetSection(key).GetChildren().Select(child => child.Value ?? "").ToList();
        try { return PublicHolidays.Parse(entries); }
        catch (FormatException e) { throw new InvalidOperationException($"host.json: pipeline.approvals.{key}: {e.Message}", e); }
    }

    private static int? ReadPositiveInt(IConfigurationSection section, string key)
    {
        var value = NullIfEmpty(section[key]);
        if (value is null) return null;
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0) return n;
        throw Invalid(section, key, value, "a whole number of at least 1");
    }

    private static int? ReadCount(IConfigurationSection section, string key)
    {
        var value = NullIfEmpty(section[key]);
        if (value is null) return null;
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0) return n;
        throw Invalid(section, key, value, "a whole number (0 for one per processor core)");
    }

    private static long? ReadPositiveLong(IConfigurationSection section, string key)
    {
        var value = NullIfEmpty(section[key]);
        if (value is null) return null;
        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0) return n;
        throw Invalid(section, key, value, "a whole number of at least 1");
    }

    private static TimeSpan? ReadPositiveTimeSpan(IConfigurationSection section, string key)
    {
        var span = ReadTimeSpan(section, key);
        if (span is { } s && s <= TimeSpan.Zero) throw Invalid(section, key, section[key]!, "a positive time span like \"00:00:30\"");
        return span;
    }

    private static TimeSpan? ReadTimeSpan(IConfigurationSection section, string key)
    {
        var value = NullIfEmpty(section[key]);
        if (value is null) return null;
        if (TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero) return span;
        throw Invalid(section, key, value, "a time span like \"00:00:30\"");
    }

    private static InvalidOperationException Invalid(IConfigurationSection section, string key, string value, string expected)
        => new($"host.json: {section.Path.Replace(':', '.')}.{key} \"{value}\" is not {expected}.");

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
