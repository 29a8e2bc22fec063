using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Pipeline.Testing;

namespace Pipeline.Benchmarks;

/// <summary>One scan of a tests/corpus/vn-official-style folder: <c>NAME/scan.pdf</c> with its <c>NAME/truth.json</c>.</summary>
internal sealed record CorpusScan(string Name, string ScanPath, JsonObject Truth);

/// <summary>What the document benchmarks share: the corpus, installing the app's tools, running a tool.</summary>
internal static class BenchmarkCorpus
{
    /// <summary>Every <c>*/scan.pdf</c> with a <c>truth.json</c> under <paramref name="dir"/>, in name order.</summary>
    public static IReadOnlyList<CorpusScan> Load(string dir)
    {
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException($"Corpus not found: {dir} (the default is tests/corpus/vn-official in the repository; --corpus DIR names another).");
        var scans = new List<CorpusScan>();
        foreach (var folder in Directory.GetDirectories(dir).Order(StringComparer.Ordinal))
        {
            var scan = Path.Combine(folder, "scan.pdf");
            var truthPath = Path.Combine(folder, "truth.json");
            if (!File.Exists(scan) || !File.Exists(truthPath)) continue;
            var truth = JsonNode.Parse(File.ReadAllText(truthPath)) as JsonObject ?? throw new InvalidDataException($"{truthPath} is not a JSON object");
            scans.Add(new CorpusScan(Path.GetFileName(folder), scan, truth));
        }
        if (scans.Count == 0) throw new InvalidDataException($"No */scan.pdf with truth.json under {dir}.");
        return scans;
    }

    /// <summary>Runs infra/local/install-deps.sh with <paramref name="presets"/> (e.g. --runtime --bench), echoing it.</summary>
    public static async Task InstallDependenciesAsync(params string[] presets)
    {
        var script = Path.Combine(RepoPaths.Root, "infra", "local", "install-deps.sh");
        Console.WriteLine($"Installing what the benchmark needs: {Path.GetRelativePath(RepoPaths.Root, script)} {string.Join(' ', presets)}");
        var (exit, output) = await RunToolAsync("bash", [script, .. presets], RepoPaths.Root, echo: true);
        if (exit != 0) throw new InvalidOperationException($"install-deps.sh failed with exit code {exit}:\n{output}");
    }

    /// <summary>Runs a tool, collecting (and optionally echoing) its output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToolAsync(string file, IEnumerable<string> args, string? workingDirectory, bool echo = false)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var output = new StringBuilder();
        void OnLine(string? line)
        {
            if (line is null) return;
            lock (output) output.AppendLine(line);
            if (echo) Console.WriteLine($"  {line}");
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync();
        lock (output) return (process.ExitCode, output.ToString());
    }
}
