using Pipeline.Functions.Hosting;

namespace Pipeline.Functions.Digitise;

/// <summary>
/// A scratch directory for one activity under <c>&lt;data&gt;/work</c>, deleted when disposed. Nothing in it
/// outlives the activity: what must survive goes to the blob store or the catalog.
/// </summary>
public sealed class WorkDirectory : IDisposable
{
    private WorkDirectory(string path) => Path = path;

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>Creates a fresh directory.</summary>
    public static WorkDirectory Create(DataDirectory data, string purpose)
    {
        var path = System.IO.Path.Combine(data.Path, "work", $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return new WorkDirectory(path);
    }

    /// <summary>Removes what a crashed process left behind (call at startup, before work starts).</summary>
    public static void CleanUp(DataDirectory data)
    {
        var root = System.IO.Path.Combine(data.Path, "work");
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
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
            // A tool still closing a file; the next startup's CleanUp removes it.
        }
    }
}
