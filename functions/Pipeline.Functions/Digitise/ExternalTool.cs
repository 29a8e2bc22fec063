using System.Diagnostics;
using System.Text;

namespace Pipeline.Functions.Digitise;

/// <summary>Runs a command-line tool (Tesseract, poppler) without a shell and collects its output.</summary>
public static class ExternalTool
{
    /// <summary>Runs <paramref name="executable"/> with <paramref name="arguments"/>; kills it when <paramref name="ct"/> is cancelled.</summary>
    public static async Task<ToolResult> RunAsync(string executable, IEnumerable<string> arguments, CancellationToken ct = default,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(ct);
            var errors = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            return new ToolResult(process.ExitCode, await output, await errors);
        }
        catch (OperationCanceledException)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            throw;
        }
    }
}

/// <summary>What a tool printed, and how it exited.</summary>
public sealed record ToolResult(int ExitCode, string Output, string Errors);
