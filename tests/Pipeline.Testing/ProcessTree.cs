using System.Globalization;

namespace Pipeline.Testing;

/// <summary>Processes seen through <c>/proc</c> (Linux): whose children they are, and whether they still run.</summary>
public static class ProcessTree
{
    /// <summary>The pids whose parent is <paramref name="parent"/>, now.</summary>
    public static IReadOnlyList<int> ChildrenOf(int parent)
    {
        var children = new List<int>();
        IEnumerable<string> entries;
        try { entries = Directory.EnumerateDirectories("/proc"); }
        catch (IOException) { return children; }
        foreach (var dir in entries)
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (Stat(pid) is { } stat && stat.Parent == parent) children.Add(pid);
        }
        return children;
    }

    /// <summary>
    /// True while <paramref name="pid"/> runs: false once it has exited, even if nobody has reaped it yet (a zombie runs
    /// nothing and holds nothing but its pid).
    /// </summary>
    public static bool IsRunning(int pid) => Stat(pid) is { } stat && stat.State != 'Z' && stat.State != 'X';

    /// <summary>True while <paramref name="pid"/> runs and its command line contains <paramref name="text"/> (a recycled pid does not count).</summary>
    public static bool IsRunning(int pid, string text)
    {
        if (!IsRunning(pid)) return false;
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Contains(text, StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // State and parent pid from /proc/<pid>/stat; the command name in parentheses may hold spaces, so parse after ')'.
    private static (char State, int Parent)? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
