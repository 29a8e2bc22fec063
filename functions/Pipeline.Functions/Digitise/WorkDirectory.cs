using Pipeline.Functions.Hosting;

namespace Pipeline.Functions.Digitise;

/// <summary>
/// A scratch directory for one activity under <c>&lt;data&gt;/work/&lt;process&gt;</c>, deleted when disposed. Nothing
/// in it outlives the activity: what must survive goes to the blob store or the catalog.
/// </summary>
/// <remarks>
/// Each process keeps its scratch directories under a directory of its own, holding a <c>.lock</c> file it keeps open
/// with an exclusive lock for its lifetime. The kernel drops the lock when the process dies, however it dies, so
/// <see cref="CleanUp"/> — run at startup and then every minute by <c>IntakeRecovery</c> — can tell a dead process's
/// leftovers from the directories a live worker (this one or another sharing the data directory) is still using.
/// </remarks>
public sealed class WorkDirectory : IDisposable
{
    private const string LockFileName = ".lock";

    /// <summary>A directory without a lock file (being created, or from before process directories) is left alone this long.</summary>
    private static readonly TimeSpan UnlockedGrace = TimeSpan.FromHours(1);

    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, ProcessDirectory> Owned = new(StringComparer.Ordinal);

    private WorkDirectory(string path) => Path = path;

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>Creates a fresh directory.</summary>
    public static WorkDirectory Create(DataDirectory data, string purpose)
    {
        var path = System.IO.Path.Combine(ProcessRoot(data), $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return new WorkDirectory(path);
    }

    /// <summary>
    /// Removes what dead processes left behind: every process directory under <c>&lt;data&gt;/work</c> whose lock is
    /// free. Directories of live processes, this one included, are kept. Safe to call while work runs.
    /// </summary>
    /// <returns>How many directories were removed.</returns>
    public static int CleanUp(DataDirectory data)
    {
        var root = System.IO.Path.Combine(data.Path, "work");
        if (!Directory.Exists(root)) return 0;
        string? mine;
        lock (Gate) mine = Owned.TryGetValue(root, out var owned) ? owned.Path : null;
        var removed = 0;
        foreach (var directory in Directory.EnumerateDirectories(root))
        {
            if (directory == mine) continue;
            if (!IsAbandoned(directory)) continue;
            try
            {
                Directory.Delete(directory, recursive: true);
                removed++;
            }
            catch (IOException)
            {
                // Being removed by another process's clean-up, or a file still closing: the next run takes it.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return removed;
    }

    /// <summary>A path inside the directory.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A tool still closing a file; the clean-up after this process ends removes it.
        }
    }

    private static bool IsAbandoned(string directory)
    {
        var lockFile = System.IO.Path.Combine(directory, LockFileName);
        if (!System.IO.File.Exists(lockFile))
            return DateTime.UtcNow - Directory.GetLastWriteTimeUtc(directory) > UnlockedGrace;
        try
        {
            // Succeeds only when no live process holds the lock.
            using var probe = new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string ProcessRoot(DataDirectory data)
    {
        var root = System.IO.Path.Combine(data.Path, "work");
        lock (Gate)
        {
            if (Owned.TryGetValue(root, out var owned) && Directory.Exists(owned.Path)) return owned.Path;
            owned?.Dispose();
            var created = ProcessDirectory.Create(root);
            Owned[root] = created;
            return created.Path;
        }
    }

    /// <summary>This process's directory under one data directory, with its lock held open until the process ends.</summary>
    private sealed class ProcessDirectory(string path, FileStream held) : IDisposable
    {
        public string Path { get; } = path;

        public static ProcessDirectory Create(string root)
        {
            var path = System.IO.Path.Combine(root, $"p{Environment.ProcessId}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(path);
            var held = new FileStream(System.IO.Path.Combine(path, LockFileName), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
            return new ProcessDirectory(path, held);
        }

        public void Dispose() => held.Dispose();
    }
}
