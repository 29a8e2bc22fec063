namespace Pipeline.Functions.Hosting;

/// <summary>
/// The directory holding everything the embedded default keeps: the SQLite durable store, the admin key,
/// and later blobs and the mail outbox. <c>PIPELINE_DATA</c> sets it; default <c>./data</c>.
/// </summary>
/// <param name="Path">Absolute path.</param>
public sealed record DataDirectory(string Path)
{
    /// <summary>Configuration key (environment <c>PIPELINE_DATA</c>).</summary>
    public const string ConfigurationKey = "Data";

    /// <summary>The admin key file.</summary>
    public string AdminKeyFile => System.IO.Path.Combine(Path, "admin.key");

    /// <summary>The SQLite database of the durable engine.</summary>
    public string DurableDatabaseFile => System.IO.Path.Combine(Path, "durable.db");

    /// <summary>The configured directory (relative paths are taken from <paramref name="contentRoot"/>), else <c>data</c> there.</summary>
    public static DataDirectory Resolve(IConfiguration configuration, string contentRoot)
    {
        var configured = configuration[ConfigurationKey];
        var path = string.IsNullOrWhiteSpace(configured) ? "data" : configured.Trim();
        return new DataDirectory(System.IO.Path.GetFullPath(path, System.IO.Path.GetFullPath(contentRoot)));
    }

    /// <summary>Creates the directory if needed (owner-only on Unix: it holds the admin key).</summary>
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
