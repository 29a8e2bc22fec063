using System.Diagnostics;
using System.Globalization;
using System.Text;
using Pipeline.Host.Hosting;

namespace Pipeline.Host.Worker;

/// <summary>
/// One worker process: <c>dotnet &lt;app&gt;/&lt;defaultWorkerPath&gt; --functions-uri … --functions-worker-id …</c>, as
/// Microsoft's host starts a dotnet-isolated worker (worker 2.x reads only the <c>--functions-*</c> arguments). Its
/// stdout and stderr lines go to the host's log (category <c>Pipeline.Host.Worker.Console</c>). A
/// <see cref="WorkerWatchdog"/> kills it if the host dies without stopping it.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    /// <summary>The largest gRPC message either side may send; bodies never ride in messages, durable payloads do.</summary>
    public const int MaxGrpcMessageBytes = int.MaxValue;

    private readonly Process _process;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerWatchdog? _watchdog;

    private WorkerProcess(Process process) => _process = process;

    /// <summary>The process id.</summary>
    public int Id { get; private set; }

    /// <summary>Completes with the exit code once the process has exited and its output is drained.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>
    /// Starts the worker in <paramref name="workingDirectory"/> (the host's: so ./host.json and ./data mean the same
    /// files to host and app). Throws when the process cannot be started (the message says what was run).
    /// </summary>
    public static WorkerProcess Start(AppDirectory app, string workingDirectory, Uri rpcUri, string workerId, IReadOnlyDictionary<string, string> environment, ILogger consoleLogger)
    {
        var psi = new ProcessStartInfo(ResolveExecutable(app.ExecutablePath))
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(app.WorkerPath);
        psi.ArgumentList.Add("--functions-uri");
        psi.ArgumentList.Add(rpcUri.AbsoluteUri);
        psi.ArgumentList.Add("--functions-worker-id");
        psi.ArgumentList.Add(workerId);
        psi.ArgumentList.Add("--functions-request-id");
        psi.ArgumentList.Add(Guid.NewGuid().ToString());
        psi.ArgumentList.Add("--functions-grpc-max-message-length");
        psi.ArgumentList.Add(MaxGrpcMessageBytes.ToString(CultureInfo.InvariantCulture));
        psi.Environment.Clear();
        foreach (var (name, value) in environment) psi.Environment[name] = value;

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process);
        var stdoutClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderrClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => OnLine(e.Data, LogLevel.Information, stdoutClosed);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data, LogLevel.Error, stderrClosed);
        process.Exited += async (_, _) =>
        {
            // Exit fires before the pipes are drained; the last lines (a FailFast message) matter most.
            await Task.WhenAny(Task.WhenAll(stdoutClosed.Task, stderrClosed.Task), Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
            worker._exited.TrySetResult(SafeExitCode(process));
        };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            throw new InvalidOperationException($"Cannot start the worker: {psi.FileName} {app.WorkerPath}: {e.Message}", e);
        }
        worker.Id = process.Id;
        worker._watchdog = WorkerWatchdog.Start(process.Id, workerId);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;

        void OnLine(string? line, LogLevel level, TaskCompletionSource closed)
        {
            if (line is null) closed.TrySetResult();
            else if (line.Length > 0) consoleLogger.Log(level, "[worker {Pid}] {Line}", worker.Id, line);
        }
    }

    /// <summary>Kills the process and everything it started (a hung or crashed worker gets no second chance).</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill: nothing left to do.
        }
    }

    /// <summary>Releases the process handle and the watchdog; the caller has stopped or killed the worker first.</summary>
    public void Dispose()
    {
        _watchdog?.Dispose();
        _process.Dispose();
    }

    private static int SafeExitCode(Process process)
    {
        try { return process.ExitCode; }
        catch (InvalidOperationException) { return -1; }
    }

    /// <summary>
    /// <c>dotnet</c> means the dotnet host this process runs on when it is one (so the worker gets the same runtime
    /// install), else <c>DOTNET_HOST_PATH</c>, else <c>dotnet</c> from PATH. Any other value is used as given.
    /// </summary>
    private static string ResolveExecutable(string configured)
    {
        if (!string.Equals(configured, "dotnet", StringComparison.OrdinalIgnoreCase)) return configured;
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return self;
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk) ? fromSdk : "dotnet";
    }
}
