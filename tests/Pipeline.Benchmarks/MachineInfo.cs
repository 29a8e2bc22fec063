using System.Globalization;

namespace Pipeline.Benchmarks;

/// <summary>What the benchmarks print about the machine they ran on, from /proc.</summary>
internal static class MachineInfo
{
    /// <summary>The 1-minute load average.</summary>
    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    /// <summary>Prints cores, CPU model, memory, runtime and load average on one line.</summary>
    public static void Print()
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        var memKb = long.Parse(File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        Console.WriteLine($"  machine: {Environment.ProcessorCount} cores ({cpu}), {memKb / 1024.0 / 1024.0:F0} GB RAM, " +
            $"{System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, load average {LoadAverage()}");
    }
}
