using System.Collections;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;

namespace Pipeline.Host.Hosting;

/// <summary>
/// Where the host's configuration comes from, lowest to highest: built-in defaults; host.json (<c>./host.json</c> in
/// the working directory, else the app's copy); appsettings.json and <c>ASPNETCORE_</c>/<c>DOTNET_</c> variables as
/// in any ASP.NET Core app; <c>PIPELINE_*</c> environment variables, which override host.json's <c>pipeline</c>
/// section (<c>PIPELINE_HOST__MAXREQUESTBODYBYTES</c> → <c>pipeline:host:maxRequestBodyBytes</c>); the command line.
/// </summary>
public static class HostConfiguration
{
    /// <summary>Prefix of the environment variables that override host.json's <c>pipeline</c> section.</summary>
    public const string EnvironmentPrefix = "PIPELINE_";

    /// <summary>The host.json file name.</summary>
    public const string HostJsonFileName = "host.json";

    /// <summary>The host.json to use: the working directory's, else the app's, else null (all defaults).</summary>
    public static string? LocateHostJson(string workingDirectory, AppDirectory app)
    {
        var local = Path.Combine(workingDirectory, HostJsonFileName);
        if (File.Exists(local)) return local;
        return File.Exists(app.HostJsonPath) ? app.HostJsonPath : null;
    }

    /// <summary>Adds the defaults and the <c>PIPELINE_*</c> variables; call before anything reads configuration.</summary>
    public static void AddBaseSources(ConfigurationManager configuration)
    {
        configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
                ["Logging:LogLevel:Grpc"] = "Warning",
                ["Logging:LogLevel:Yarp"] = "Warning",
            },
        });
        InsertBelowCommandLine(configuration, new MemoryConfigurationSource { InitialData = PipelineVariables(Environment.GetEnvironmentVariables()) });
    }

    /// <summary>Adds host.json just above the defaults, so everything else overrides it.</summary>
    public static void AddHostJson(ConfigurationManager configuration, string? hostJsonPath)
    {
        if (hostJsonPath is null) return;
        var source = new JsonConfigurationSource { Path = hostJsonPath, Optional = false, ReloadOnChange = false };
        source.ResolveFileProvider();
        configuration.Sources.Insert(1, source);
    }

    /// <summary><c>PIPELINE_A__B=v</c> → <c>pipeline:A:B=v</c>.</summary>
    internal static Dictionary<string, string?> PipelineVariables(IDictionary environment)
    {
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in environment)
        {
            var name = (string)entry.Key;
            if (!name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) || name.Length == EnvironmentPrefix.Length) continue;
            result["pipeline:" + name[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal)] = entry.Value as string;
        }
        return result;
    }

    private static void InsertBelowCommandLine(ConfigurationManager configuration, IConfigurationSource source)
    {
        var commandLine = configuration.Sources.ToList().FindLastIndex(s => s is CommandLineConfigurationSource);
        if (commandLine >= 0) configuration.Sources.Insert(commandLine, source);
        else configuration.Sources.Add(source);
    }
}
