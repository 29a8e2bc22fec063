namespace Pipeline.Host.Hosting;

/// <summary>
/// The directory holding what the host keeps (the key files) and what the app keeps (the worker gets its absolute
/// path as <c>PIPELINE_DATA</c>). Configured by <c>PIPELINE_DATA</c> (<c>pipeline:data</c>); default <c>./data</c>.
/// </summary>
/// <param name="Path">Absolute path.</param>
public sealed record DataDirectory(string Path)
{
    /// <summary>Configuration key (environment <c>PIPELINE_DATA</c>).</summary>
    public const string ConfigurationKey = "pipeline:data";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>The master key file.</summary>
    public string AdminKeyFile => System.IO.Path.Combine(Path, "admin.key");

    /// <summary>The default host function key file.</summary>
    public string FunctionKeyFile => System.IO.Path.Combine(Path, "function.key");

    /// <summary>The configured directory (relative paths are taken from <paramref name="workingDirectory"/>), else <c>data</c> there.</summary>
    public static DataDirectory Resolve(IConfiguration configuration, string workingDirectory)
    {
        var configured = configuration[ConfigurationKey];
        var path = string.IsNullOrWhiteSpace(configured) ? "data" : configured.Trim();
        return new DataDirectory(System.IO.Path.GetFullPath(path, System.IO.Path.GetFullPath(workingDirectory)));
    }

    /// <summary>
    /// Creates the directory if needed, owner-only on Unix (it holds the keys). An existing directory that others can
    /// read is not changed (an operator may share it on purpose) but is reported through <paramref name="warn"/>.
    /// </summary>
    public DataDirectory EnsureExists(Action<string> warn)
    {
        if (!Directory.Exists(Path))
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(Path);
            else Directory.CreateDirectory(Path, OwnerOnly);
        }
        else if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(Path) & ~OwnerOnly) != 0)
        {
            warn($"The data directory {Path} can be read by other users; it holds the host keys. Run chmod 700 on it.");
        }
        return this;
    }
}
