using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Pipeline.Testing;

/// <summary>
/// Starts a private, throwaway PostgreSQL cluster (Debian postgresql binaries) in a temp dir on a
/// free private port; stopped and deleted on dispose. Never touches a system-wide server.
/// </summary>
/// <remarks>
/// <para>initdb/pg_ctl/postgres refuse to run as root, so when the tests run as root (CI does) they
/// run as user <c>postgres</c> via <c>runuser -u postgres --</c>, on a 0700 directory under /tmp
/// owned by that user. Otherwise they run as the current user.</para>
/// <para>Each instance has its own directory, port and unix socket directory, so any number of
/// clusters can run at once, from one or several test processes. The server runs detached from the
/// test process (pg_ctl daemonises it); clusters not disposed are stopped at process exit, and
/// clusters left behind by a test process that died are stopped and deleted by the next
/// <see cref="StartAsync"/> on the machine.</para>
/// <para>Binaries: the highest version under /usr/lib/postgresql/*/bin (Debian's layout; they are
/// not on PATH), or the directory named by the environment variable <c>PIPELINE_PG_BIN</c>.</para>
/// </remarks>
public sealed class PostgresCluster : IAsyncDisposable
{
    private const string DirPrefix = "pipeline-pg-";
    private const string OwnerFileName = "owner.pid";
    private const string OsUser = "postgres";
    private const int MaxPortAttempts = 5;
    private static readonly TimeSpan InitDbTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan PgCtlTimeout = TimeSpan.FromSeconds(90);

    private static readonly Lazy<string?> BinDir = new(FindBinDir);
    private static readonly object LiveLock = new();
    private static readonly HashSet<PostgresCluster> Live = [];
    private static int exitHookInstalled;

    private readonly bool asPostgresUser;
    private readonly object issuedLock = new();
    private readonly List<string> issuedConnectionStrings = [];
    private int disposed;

    private PostgresCluster(string rootDirectory, int port, bool asPostgresUser)
    {
        RootDirectory = rootDirectory;
        Port = port;
        this.asPostgresUser = asPostgresUser;
        ConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "postgres",
            Database = "postgres",
            Pooling = true,
            MaxPoolSize = 50,
            IncludeErrorDetail = true,
        }.ToString();
        issuedConnectionStrings.Add(ConnectionString);
    }

    /// <summary>True if initdb and pg_ctl were found under /usr/lib/postgresql/*/bin (highest version).</summary>
    public static bool IsAvailable => BinDir.Value is not null;

    /// <summary>The directory holding initdb/pg_ctl/postgres, or null if none was found.</summary>
    public static string? BinDirectory => BinDir.Value;

    /// <summary>To database "postgres" as superuser "postgres" (trust auth), pooled.</summary>
    public string ConnectionString { get; }

    public int Port { get; }

    /// <summary>The cluster's private directory: data/, log, and the unix socket.</summary>
    public string RootDirectory { get; }

    public string DataDirectory => Path.Combine(RootDirectory, "data");

    public string LogPath => Path.Combine(RootDirectory, "log");

    /// <summary>Starts a new cluster. Throws <see cref="InvalidOperationException"/> with the server log tail if it cannot.</summary>
    public static async Task<PostgresCluster> StartAsync(CancellationToken ct = default)
    {
        var bin = BinDir.Value ?? throw new InvalidOperationException(
            "PostgreSQL binaries (initdb, pg_ctl, postgres) not found under /usr/lib/postgresql/*/bin; " +
            "install them with: infra/local/install-deps.sh --test");
        InstallExitHook();
        await SweepStaleAsync().ConfigureAwait(false);

        var asPostgres = Libc.IsRoot;
        var dir = await CreatePrivateDirectoryAsync(asPostgres, ct).ConfigureAwait(false);
        try
        {
            await InitDbAsync(bin, dir, asPostgres, ct).ConfigureAwait(false);
            var logPath = Path.Combine(dir, "log");
            for (var attempt = 1; ; attempt++)
            {
                var port = FindFreePort();
                var options = string.Join(' ',
                    $"-p {port.ToString(CultureInfo.InvariantCulture)}",
                    $"-k {dir}",
                    "-c listen_addresses=127.0.0.1",
                    "-c fsync=off",
                    "-c max_connections=200",
                    "-c shared_buffers=128MB");
                var logLengthBefore = FileLength(logPath);
                var (code, output) = await RunAsync(asPostgres, dir, Path.Combine(bin, "pg_ctl"),
                    ["-D", Path.Combine(dir, "data"), "-l", logPath, "-w", "-t", "60", "-o", options, "start"],
                    PgCtlTimeout, ct).ConfigureAwait(false);
                if (code == 0)
                {
                    var cluster = new PostgresCluster(dir, port, asPostgres);
                    lock (LiveLock) Live.Add(cluster);
                    return cluster;
                }

                var newLog = ReadFrom(logPath, logLengthBefore);
                await StopServerAsync(dir, asPostgres).ConfigureAwait(false);
                var portTaken = newLog.Contains("Address already in use", StringComparison.Ordinal)
                    || newLog.Contains("could not bind", StringComparison.Ordinal)
                    || newLog.Contains("could not create any TCP/IP sockets", StringComparison.Ordinal);
                if (portTaken && attempt < MaxPortAttempts) continue;

                throw new InvalidOperationException(
                    $"PostgreSQL did not start (pg_ctl start exited {code}, port {port}, dir {dir}).\n" +
                    $"pg_ctl output:\n{output.TrimEnd()}\n--- server log tail ({logPath}) ---\n{Tail(logPath, 40)}");
            }
        }
        catch
        {
            await StopAndDeleteAsync(dir, asPostgres).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>CREATE DATABASE <paramref name="name"/>; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);

        await using (var conn = new NpgsqlConnection(ConnectionString))
        {
            await conn.OpenAsync(ct).ConfigureAwait(false);
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {QuoteIdentifier(name)}", conn);
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        var cs = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ToString();
        lock (issuedLock) issuedConnectionStrings.Add(cs);
        return cs;
    }

    /// <summary>The whole server log so far (for test failure messages).</summary>
    public string ReadServerLog() => ReadFrom(LogPath, 0);

    /// <summary>pg_ctl stop -m immediate, then deletes the directory. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        lock (LiveLock) Live.Remove(this);
        ClearPools();
        await StopAndDeleteAsync(RootDirectory, asPostgresUser).ConfigureAwait(false);
    }

    public override string ToString() => $"PostgresCluster(port {Port}, {RootDirectory})";

    private void ClearPools()
    {
        string[] strings;
        lock (issuedLock) strings = [.. issuedConnectionStrings];
        foreach (var cs in strings)
        {
            try
            {
                using var conn = new NpgsqlConnection(cs);
                NpgsqlConnection.ClearPool(conn);
            }
            catch
            {
                // Best effort: the server is going away anyway.
            }
        }
    }

    // ---- binaries -------------------------------------------------------------------------

    private static string? FindBinDir()
    {
        static bool HasTools(string dir) =>
            File.Exists(Path.Combine(dir, "initdb"))
            && File.Exists(Path.Combine(dir, "pg_ctl"))
            && File.Exists(Path.Combine(dir, "postgres"));

        var overridden = Environment.GetEnvironmentVariable("PIPELINE_PG_BIN");
        if (!string.IsNullOrWhiteSpace(overridden))
            return HasTools(overridden) ? Path.GetFullPath(overridden) : null;

        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root)) return null;
        return Directory.EnumerateDirectories(root)
            .Select(d => (Dir: Path.Combine(d, "bin"), Version: ParseVersion(Path.GetFileName(d))))
            .Where(x => x.Version is not null && HasTools(x.Dir))
            .OrderByDescending(x => x.Version)
            .Select(x => x.Dir)
            .FirstOrDefault();
    }

    private static Version? ParseVersion(string name)
    {
        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var major))
            return new Version(major, 0);
        return Version.TryParse(name, out var v) ? v : null; // e.g. "9.6"
    }

    private static string RunUserPath { get; } =
        new[] { "/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser" }
            .FirstOrDefault(File.Exists) ?? "runuser";

    // ---- start ----------------------------------------------------------------------------

    private static string BaseTempDirectory => Directory.Exists("/tmp") ? "/tmp" : Path.GetTempPath();

    private static async Task<string> CreatePrivateDirectoryAsync(bool asPostgres, CancellationToken ct)
    {
        string dir;
        do
        {
            // Short on purpose: the unix socket path (<dir>/.s.PGSQL.<port>) must stay under 107 bytes.
            dir = Path.Combine(BaseTempDirectory,
                $"{DirPrefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        } while (Directory.Exists(dir));

        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("PostgresCluster needs Linux.");
        Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await File.WriteAllTextAsync(Path.Combine(dir, OwnerFileName),
            Environment.ProcessId.ToString(CultureInfo.InvariantCulture), ct).ConfigureAwait(false);

        if (asPostgres)
        {
            var (code, output) = await RunAsync(false, BaseTempDirectory, "chown",
                ["-R", $"{OsUser}:", dir], TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
            if (code != 0)
            {
                TryDelete(dir);
                throw new InvalidOperationException(
                    $"Running as root, but could not give {dir} to user '{OsUser}' (is the postgresql package installed?): {output.Trim()}");
            }
        }
        return dir;
    }

    private static async Task InitDbAsync(string bin, string dir, bool asPostgres, CancellationToken ct)
    {
        var data = Path.Combine(dir, "data");
        var initdb = Path.Combine(bin, "initdb");
        string? firstFailure = null;
        // C.UTF-8 gives Unicode-aware upper()/lower()/ILIKE with byte-order sorting; fall back to
        // plain C on systems without that locale.
        foreach (var locale in new[] { "C.UTF-8", "C" })
        {
            var (code, output) = await RunAsync(asPostgres, dir, initdb,
                ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", $"--locale={locale}"],
                InitDbTimeout, ct).ConfigureAwait(false);
            if (code == 0) return;
            firstFailure ??= $"initdb --locale={locale} exited {code}:\n{output.TrimEnd()}";
            if (Directory.Exists(data)) TryDelete(data);
        }
        throw new InvalidOperationException($"initdb failed in {dir}.\n{firstFailure}");
    }

    private static int FindFreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    // ---- stop and clean up ----------------------------------------------------------------

    private static void InstallExitHook()
    {
        if (Interlocked.Exchange(ref exitHookInstalled, 1) != 0) return;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            PostgresCluster[] left;
            lock (LiveLock) left = [.. Live];
            foreach (var cluster in left)
            {
                try { cluster.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
                catch { /* exiting anyway */ }
            }
        };
    }

    /// <summary>Stops and deletes clusters whose owning test process no longer exists.</summary>
    private static async Task SweepStaleAsync()
    {
        IEnumerable<string> dirs;
        try { dirs = Directory.EnumerateDirectories(BaseTempDirectory, DirPrefix + "*").ToList(); }
        catch { return; }

        foreach (var dir in dirs)
        {
            try
            {
                var ownerFile = Path.Combine(dir, OwnerFileName);
                if (!File.Exists(ownerFile)) continue; // not ours, or still being created
                if (!int.TryParse(File.ReadAllText(ownerFile).Trim(), NumberStyles.None,
                        CultureInfo.InvariantCulture, out var owner)) continue;
                if (owner == Environment.ProcessId || Libc.ProcessExists(owner)) continue;
                await StopAndDeleteAsync(dir, Libc.IsRoot).ConfigureAwait(false);
            }
            catch
            {
                // Not readable by us (another user's), or another process is sweeping it too.
            }
        }
    }

    private static async Task StopAndDeleteAsync(string dir, bool asPostgres)
    {
        await StopServerAsync(dir, asPostgres).ConfigureAwait(false);
        TryDelete(dir);
    }

    private static async Task StopServerAsync(string dir, bool asPostgres)
    {
        var data = Path.Combine(dir, "data");
        var pidFile = Path.Combine(data, "postmaster.pid");
        if (!File.Exists(pidFile)) return;

        if (BinDir.Value is { } bin)
        {
            try
            {
                await RunAsync(asPostgres, dir, Path.Combine(bin, "pg_ctl"),
                    ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"],
                    TimeSpan.FromSeconds(40), CancellationToken.None).ConfigureAwait(false);
            }
            catch
            {
                // Fall through to SIGKILL.
            }
        }

        // If pg_ctl could not stop it, kill the postmaster; its backends exit when it dies.
        try
        {
            if (File.Exists(pidFile)
                && int.TryParse(File.ReadLines(pidFile).FirstOrDefault()?.Trim(), NumberStyles.None,
                    CultureInfo.InvariantCulture, out var pid)
                && Libc.ProcessExists(pid))
            {
                Libc.Kill(pid, Libc.SIGKILL);
                for (var i = 0; i < 50 && Libc.ProcessExists(pid); i++) await Task.Delay(100).ConfigureAwait(false);
            }
        }
        catch
        {
            // Best effort.
        }
    }

    private static void TryDelete(string dir)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Thread.Sleep(100); // a dying server may still be removing its files
            }
        }
    }

    // ---- processes and files --------------------------------------------------------------

    /// <summary>Runs a program (as user postgres via runuser if asked), no shell; returns exit code and stdout+stderr.</summary>
    private static async Task<(int Code, string Output)> RunAsync(bool asPostgres, string workingDirectory,
        string program, IEnumerable<string> args, TimeSpan timeout, CancellationToken ct)
    {
        var psi = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            // The postgres user cannot enter the test's working directory (e.g. /root): use the cluster's.
            WorkingDirectory = workingDirectory,
        };
        if (asPostgres)
        {
            psi.FileName = RunUserPath;
            psi.ArgumentList.Add("-u");
            psi.ArgumentList.Add(OsUser);
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(program);
        }
        else
        {
            psi.FileName = program;
        }
        foreach (var a in args) psi.ArgumentList.Add(a);

        // Libpq/pg_ctl environment from the caller must not point anywhere else.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList())
            psi.Environment.Remove(key);
        psi.Environment["LC_MESSAGES"] = "C";

        using var process = Process.Start(psi)
            ?? throw new InvalidOperationException($"Could not start {psi.FileName}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);

        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutCts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch { /* already gone */ }
            ct.ThrowIfCancellationRequested();
            throw new TimeoutException(
                $"{program} {string.Join(' ', args)} did not finish within {timeout}.");
        }

        var output = new StringBuilder();
        output.Append(await stdout.ConfigureAwait(false));
        output.Append(await stderr.ConfigureAwait(false));
        return (process.ExitCode, output.ToString());
    }

    private static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static long FileLength(string path)
    {
        try { return File.Exists(path) ? new FileInfo(path).Length : 0; }
        catch { return 0; }
    }

    private static string ReadFrom(string path, long offset)
    {
        try
        {
            if (!File.Exists(path)) return "";
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (offset > 0 && offset <= stream.Length) stream.Seek(offset, SeekOrigin.Begin);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        catch (Exception e)
        {
            return $"(could not read {path}: {e.Message})";
        }
    }

    private static string Tail(string path, int lines)
    {
        var text = ReadFrom(path, 0);
        var all = text.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines - 1))).TrimEnd();
    }
}
