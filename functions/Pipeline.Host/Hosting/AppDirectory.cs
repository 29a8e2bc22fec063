using System.Text.Json;

namespace Pipeline.Host.Hosting;

/// <summary>
/// The built isolated-worker app the host runs: its output directory, holding <c>worker.config.json</c> (written by
/// Microsoft.Azure.Functions.Worker.Sdk), the app's dll and its <c>host.json</c>. Given by <c>--app</c> or
/// <c>PIPELINE_APP</c>.
/// </summary>
/// <param name="Path">Absolute path of the directory.</param>
/// <param name="ExecutablePath">The program that runs the worker: <c>defaultExecutablePath</c> of worker.config.json (<c>dotnet</c>).</param>
/// <param name="WorkerPath">Absolute path of the worker's entry assembly: <c>defaultWorkerPath</c> of worker.config.json.</param>
public sealed record AppDirectory(string Path, string ExecutablePath, string WorkerPath)
{
    /// <summary>Command-line key: <c>--app &lt;dir&gt;</c>.</summary>
    public const string CommandLineKey = "app";

    /// <summary>Configuration key of <c>PIPELINE_APP</c>.</summary>
    public const string ConfigurationKey = "pipeline:app";

    /// <summary>The file the Worker SDK writes to describe how to start the worker.</summary>
    public const string WorkerConfigFileName = "worker.config.json";

    /// <summary>The app's host.json, if the build copied one there.</summary>
    public string HostJsonPath => System.IO.Path.Combine(Path, "host.json");

    /// <summary>
    /// Resolves the app directory from configuration and reads its worker.config.json. Throws
    /// <see cref="InvalidOperationException"/> with a message saying what to fix when it is not given or not a built app.
    /// </summary>
    public static AppDirectory Resolve(IConfiguration configuration, string workingDirectory)
    {
        var configured = configuration[CommandLineKey] ?? configuration[ConfigurationKey];
        if (string.IsNullOrWhiteSpace(configured))
            throw new InvalidOperationException("No app to run: pass --app <the app's build output directory> (or set PIPELINE_APP).");
        var path = System.IO.Path.GetFullPath(configured.Trim(), workingDirectory);
        var configFile = System.IO.Path.Combine(path, WorkerConfigFileName);
        if (!File.Exists(configFile))
            throw new InvalidOperationException($"--app {path} is not a built isolated-worker app: it has no {WorkerConfigFileName}. Build the app and pass its output directory (bin/<configuration>/<framework>).");
        return Read(path, configFile);
    }

    private static AppDirectory Read(string path, string configFile)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(configFile), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var description = document.RootElement.GetProperty("description");
            var executable = description.TryGetProperty("defaultExecutablePath", out var e) ? e.GetString() : null;
            var worker = description.GetProperty("defaultWorkerPath").GetString();
            if (string.IsNullOrWhiteSpace(worker)) throw new InvalidOperationException("description.defaultWorkerPath is empty");
            return new AppDirectory(path, string.IsNullOrWhiteSpace(executable) ? "dotnet" : executable, System.IO.Path.GetFullPath(worker, path));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{configFile} cannot be read ({e.Message}). Rebuild the app.", e);
        }
    }
}
