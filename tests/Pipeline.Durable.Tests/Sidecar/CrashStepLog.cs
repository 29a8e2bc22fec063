namespace Pipeline.Durable.Tests.Sidecar;

/// <summary>
/// The chains the crash host (Pipeline.Durable.SidecarCrashHost) runs and the side-effect log its activities write: a
/// line "instanceId:index:pid" every time a chain step runs.
/// </summary>
public static class CrashStepLog
{
    public const int Chains = 10;
    public const int Steps = 10;

    /// <summary>What every chain returns: the indexes of its steps, in order.</summary>
    public static string ExpectedOutput { get; } = string.Join(",", Enumerable.Range(0, Steps));

    public static IReadOnlyList<string> ChainIds { get; } = [.. Enumerable.Range(0, Chains).Select(i => $"chain-{i:D2}")];

    public sealed record StepRun(string InstanceId, int Index, int Pid);

    /// <summary>Every step run logged so far by every process.</summary>
    public static List<StepRun> ReadLog(string logDirectory)
    {
        var runs = new List<StepRun>();
        if (!Directory.Exists(logDirectory)) return runs;
        foreach (var file in Directory.EnumerateFiles(logDirectory, "worker-*.log"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                var parts = line.Split(':');
                if (parts.Length == 3 && int.TryParse(parts[1], out var index) && int.TryParse(parts[2], out var pid))
                    runs.Add(new StepRun(parts[0], index, pid));
            }
        }
        return runs;
    }

    public static Task WaitForLogAsync(string logDirectory, Func<List<StepRun>, bool> condition, string what)
        => SidecarHost.WaitUntilAsync(() => Task.FromResult(condition(ReadLog(logDirectory))),
            () => $"the side-effect log to show {what}; it has {ReadLog(logDirectory).Count} line(s)", TimeSpan.FromSeconds(60));
}
