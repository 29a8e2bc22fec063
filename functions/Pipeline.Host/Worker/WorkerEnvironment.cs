using System.Collections;
using Pipeline.Host.Hosting;

namespace Pipeline.Host.Worker;

/// <summary>
/// The environment a worker process starts with: the host's own environment (its app settings, as in Azure), minus
/// what would move the worker's own HTTP listener off loopback, plus what Microsoft's host sets for a dotnet-isolated
/// worker, plus <c>PIPELINE_DATA</c> pointing at the host's data directory.
/// </summary>
public static class WorkerEnvironment
{
    /// <summary>
    /// Variables never passed on. The worker's ASP.NET Core integration listens on <c>http://localhost:&lt;free
    /// port&gt;</c> (<c>HttpUriProvider</c> + <c>UseUrls</c> in Worker.Extensions.Http.AspNetCore), and that listener
    /// trusts the <c>x-ms-invocation-id</c> header alone; these would add or replace its addresses. The host's own
    /// <c>--urls</c>/<c>ASPNETCORE_URLS</c> are meant for the host, not the worker.
    /// </summary>
    public static readonly IReadOnlySet<string> Removed = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "ASPNETCORE_URLS", "DOTNET_URLS", "URLS",
        "ASPNETCORE_HTTP_PORTS", "DOTNET_HTTP_PORTS", "HTTP_PORTS",
        "ASPNETCORE_HTTPS_PORTS", "DOTNET_HTTPS_PORTS", "HTTPS_PORTS",
        "ASPNETCORE_HOSTINGSTARTUPASSEMBLIES", "DOTNET_HOSTINGSTARTUPASSEMBLIES",
    };

    /// <summary>Prefixes of removed variables: Kestrel endpoint configuration would override <c>UseUrls</c>.</summary>
    public static readonly IReadOnlyList<string> RemovedPrefixes = ["Kestrel__Endpoints__", "ASPNETCORE_Kestrel__Endpoints__", "DOTNET_Kestrel__Endpoints__"];

    /// <summary>The worker's environment, from <paramref name="hostEnvironment"/> (normally the host process's).</summary>
    public static Dictionary<string, string> Build(IDictionary hostEnvironment, AppDirectory app, DataDirectory data)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in hostEnvironment)
        {
            var name = (string)entry.Key;
            if (entry.Value is not string value || IsRemoved(name)) continue;
            result[name] = value;
        }
        result["FUNCTIONS_WORKER_DIRECTORY"] = app.Path;
        result["FUNCTIONS_APPLICATION_DIRECTORY"] = app.Path;
        result["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        result["FUNCTIONS_WORKER_RUNTIME_VERSION"] = $"{Environment.Version.Major}.0";
        result["PIPELINE_DATA"] = data.Path;
        return result;
    }

    /// <summary>True for a variable that is not passed to the worker.</summary>
    public static bool IsRemoved(string name)
        => Removed.Contains(name) || RemovedPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));
}
