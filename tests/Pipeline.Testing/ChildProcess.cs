using System.Diagnostics;
using System.Text;

namespace Pipeline.Testing;

/// <summary>
/// A child process for end-to-end and crash tests (<c>dotnet &lt;dll&gt; args...</c>, or any program): its stdout and
/// stderr lines are captured (interleaved, in arrival order) into <see cref="Output"/>;
/// <see cref="Kill"/> sends SIGKILL to that one process, like a crash. Disposing kills it and
/// every process it started (a host's worker too), so no test leaves a process behind.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly object gate = new();
    private readonly StringBuilder output = new();
    private TaskCompletionSource changed = NewSignal();
    private readonly TaskCompletionSource stdoutClosed = NewSignal();
    private readonly TaskCompletionSource stderrClosed = NewSignal();
    private int disposed;

    private ChildProcess(Process process)
    {
        this.process = process;
    }

    /// <summary>
    /// Starts <c>dotnet <paramref name="dllPath"/> <paramref name="args"/></c>. Environment variables
    /// in <paramref name="environment"/> are added to (or, with a null value, removed from) this
    /// process's environment.
    /// </summary>
    public static ChildProcess Start(string dllPath, IEnumerable<string>? args = null,
        string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dllPath);
        return StartProgram(DotnetHost, [dllPath, .. args ?? []], workingDirectory, environment);
    }

    /// <summary>
    /// Starts <paramref name="fileName"/> with <paramref name="args"/> (any program, e.g. a tool the tests need),
    /// with the same output capture and clean-up as <see cref="Start"/>.
    /// </summary>
    public static ChildProcess StartProgram(string fileName, IEnumerable<string> args,
        string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var psi = new ProcessStartInfo
        {
            FileName = fileName,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                if (value is null) psi.Environment.Remove(key);
                else psi.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, child.stdoutClosed);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, child.stderrClosed);
        process.Exited += (_, _) => child.Signal();
        if (!process.Start())
            throw new InvalidOperationException($"Could not start {fileName} {string.Join(' ', psi.ArgumentList)}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>The dotnet host running this process (so the child uses the same runtime), else "dotnet" from PATH.</summary>
    public static string DotnetHost { get; } = FindDotnetHost();

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    /// <summary>Exit code once exited, else null.</summary>
    public int? ExitCode => process.HasExited ? process.ExitCode : null;

    /// <summary>Everything the process wrote to stdout and stderr so far, one line per line.</summary>
    public string Output
    {
        get { lock (gate) return output.ToString(); }
    }

    /// <summary>
    /// Completes when <see cref="Output"/> contains <paramref name="substring"/> (ordinal). Throws
    /// <see cref="TimeoutException"/> after <paramref name="timeout"/>, or
    /// <see cref="InvalidOperationException"/> if the process exits first; both include the output.
    /// </summary>
    public async Task WaitForOutputAsync(string substring, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(substring);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Task signal;
            string text;
            lock (gate)
            {
                signal = changed.Task;
                text = output.ToString();
            }
            if (text.Contains(substring, StringComparison.Ordinal)) return;

            if (process.HasExited && stdoutClosed.Task.IsCompleted && stderrClosed.Task.IsCompleted)
            {
                if (Output.Contains(substring, StringComparison.Ordinal)) return;
                throw new InvalidOperationException(
                    $"Process {Id} exited with code {process.ExitCode} before writing \"{substring}\". Output:\n{Output}");
            }

            var left = timeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException(
                    $"Process {Id} did not write \"{substring}\" within {timeout}. Output:\n{Output}");
            // Wake on new output or exit; poll now and then in case an exit was missed.
            await Task.WhenAny(signal, Task.Delay(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1)))
                .ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the process to exit (and its output to be drained); false on timeout.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Sends SIGKILL to the process itself (not its children), like a crash. Does not wait.</summary>
    public void Kill()
    {
        if (process.HasExited) return;
        Libc.Kill(process.Id, Libc.SIGKILL);
    }

    /// <summary>Completes once stdout and stderr are closed (after the process exited, all its output is in <see cref="Output"/>).</summary>
    public Task WaitForOutputClosedAsync() => Task.WhenAll(stdoutClosed.Task, stderrClosed.Task);

    /// <summary>Sends SIGTERM to the process itself, asking it to stop gracefully. Does not wait.</summary>
    public void Terminate()
    {
        if (process.HasExited) return;
        Libc.Kill(process.Id, Libc.SIGTERM);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        try
        {
            if (!process.HasExited)
            {
                KillTree(process.Id);
                await WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already cleaned up.
        }
        finally
        {
            process.Dispose();
        }
    }

    public override string ToString() => $"ChildProcess({Id})";

    /// <summary>
    /// SIGKILLs <paramref name="pid"/> and its descendants, all listed before any is killed (a dead parent's children are
    /// re-parented and could no longer be found).
    /// </summary>
    private static void KillTree(int pid)
    {
        var tree = new List<int>();
        Collect(pid);
        foreach (var member in tree) Libc.Kill(member, Libc.SIGKILL);

        void Collect(int parent)
        {
            tree.Add(parent);
            foreach (var child in ProcessTree.ChildrenOf(parent)) Collect(child);
        }
    }

    private void OnLine(string? line, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
        }
        else
        {
            lock (gate) output.Append(line).Append('\n');
        }
        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (gate)
        {
            previous = changed;
            changed = NewSignal();
        }
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static string FindDotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk)) return fromSdk;
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return "dotnet";
    }
}
