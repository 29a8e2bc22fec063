namespace Pipeline.Functions.Hosting;

/// <summary>
/// The directory holding what the app keeps (the document catalog, blobs, the approval link key, the mail outbox) next
/// to what the host keeps there (its key files, the durable store). <c>PIPELINE_DATA</c> sets it (the host passes its own,
/// absolute, to the worker); default <c>./data</c> in the working directory — the host's, which starts the worker there.
/// </summary>
/// <param name="Path">Absolute path.</param>
public sealed record DataDirectory(string Path)
{
    /// <summary>Configuration key (environment <c>PIPELINE_DATA</c>).</summary>
    public const string ConfigurationKey = "Data";

    /// <summary>The host's master key file (written by the host, read here only to name the credential in audit entries).</summary>
    public string AdminKeyFile => System.IO.Path.Combine(Path, "admin.key");

    /// <summary>The host's default function key file (written by the host, read here only to name the credential in audit entries).</summary>
    public string FunctionKeyFile => System.IO.Path.Combine(Path, "function.key");

    /// <summary>The configured directory (relative paths are taken from <paramref name="workingDirectory"/>), else <c>data</c> there.</summary>
    public static DataDirectory Resolve(IConfiguration configuration, string workingDirectory)
    {
        var configured = configuration[ConfigurationKey];
        var path = string.IsNullOrWhiteSpace(configured) ? "data" : configured.Trim();
        return new DataDirectory(System.IO.Path.GetFullPath(path, System.IO.Path.GetFullPath(workingDirectory)));
    }

    /// <summary>Creates the directory if needed (owner-only on Unix: it holds keys and documents). The host normally has already.</summary>
    public DataDirectory EnsureExists()
    {
        if (!Directory.Exists(Path))
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(Path);
            else Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return this;
    }
}
