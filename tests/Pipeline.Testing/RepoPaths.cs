namespace Pipeline.Testing;

/// <summary>Paths in the repository, found from the test's output directory.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The directory containing Pipeline.sln (walking up from <see cref="AppContext.BaseDirectory"/>).</summary>
    public static string Root => RootLazy.Value;

    /// <summary>
    /// The test corpus in the repository, Root/tests/corpus (see its README). Throws <see cref="DirectoryNotFoundException"/>
    /// if it is missing: the corpus is part of every clone, so its absence is a broken checkout, never a reason to skip.
    /// </summary>
    public static string Corpus => CorpusPath();

    /// <summary>
    /// A file or folder of the test corpus, e.g. <c>CorpusPath("vn-official", "doc000", "scan.pdf")</c>. Throws
    /// <see cref="FileNotFoundException"/> naming the path if it does not exist, so a test fails at the line that
    /// needs the data instead of somewhere downstream of an empty upload.
    /// </summary>
    public static string CorpusPath(params string[] parts)
    {
        var root = Path.Combine(Root, "tests", "corpus");
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"The test corpus is missing: {root} (it is part of the repository; is the checkout complete?).");
        var path = Path.GetFullPath(Path.Combine([root, .. parts]));
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"Not in the test corpus: {path} (see tests/corpus/README.md).", path);
        return path;
    }

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
