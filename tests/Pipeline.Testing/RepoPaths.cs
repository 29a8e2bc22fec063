namespace Pipeline.Testing;

/// <summary>Paths in the repository, found from the test's output directory.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The directory containing Pipeline.sln (walking up from <see cref="AppContext.BaseDirectory"/>).</summary>
    public static string Root => RootLazy.Value;

    /// <summary>The shared document corpus beside the clone: Root/../shared/corpus (may not exist).</summary>
    public static string SharedCorpus => Path.GetFullPath(Path.Combine(Root, "..", "shared", "corpus"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException(
            $"No Pipeline.sln in {AppContext.BaseDirectory} or any directory above it.");
    }
}
