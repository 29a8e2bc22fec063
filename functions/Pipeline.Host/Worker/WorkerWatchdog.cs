using System.Diagnostics;
using System.Globalization;

namespace Pipeline.Host.Worker;

/// <summary>
/// Kills the worker when the host dies, however it dies (SIGKILL and the OOM killer included). Microsoft's isolated
/// worker does not exit when its FunctionRpc stream ends or breaks (its stream reader is a fire-and-forget task; only
/// WorkerTerminate stops it), so a host that cannot send WorkerTerminate would leave its worker running forever.
/// </summary>
/// <remarks>
/// The watchdog is a tiny <c>/bin/sh</c> beside the worker whose stdin is a pipe only the host holds open (.NET opens
/// its end close-on-exec, so no other child inherits it). The host never writes to it; when the host process ends, the
/// kernel closes that end, the watchdog reads end-of-file and SIGKILLs the worker, if the pid still names this worker
/// (its command line carries the worker id, so a recycled pid is left alone). A pipe is used rather than
/// <c>PR_SET_PDEATHSIG</c> because that signal fires when the forking <em>thread</em> exits, and .NET starts processes
/// from whichever pool thread asks. The worker stays the host's direct child, so its pid (reported in
/// <c>/admin/host/status</c>) is the app's own. Without <c>/bin/sh</c> (Windows) there is no watchdog.
/// </remarks>
internal sealed class WorkerWatchdog : IDisposable
{
    private const string Shell = "/bin/sh";

    // $1 = worker pid, $2 = worker id. Lets go of the host's stdout/stderr (so whoever reads the host's output sees it
    // end with the host), reads until EOF (the host has gone), then kills the worker if the pid is still this worker.
    private const string Script =
        "exec >/dev/null 2>&1; while read -r _; do :; done; " +
        "if [ ! -e /proc/self ] || grep -qF -- \"$2\" \"/proc/$1/cmdline\" 2>/dev/null; then kill -KILL \"$1\" 2>/dev/null; fi";

    private readonly Process _process;

    private WorkerWatchdog(Process process) => _process = process;

    /// <summary>The watchdog's process id.</summary>
    public int Id => _process.Id;

    /// <summary>
    /// Starts a watchdog for the worker <paramref name="workerPid"/> started with <paramref name="workerId"/>; null
    /// when this system has no <c>/bin/sh</c>.
    /// </summary>
    public static WorkerWatchdog? Start(int workerPid, string workerId)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(Shell)) return null;
        var psi = new ProcessStartInfo(Shell)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = false,
            RedirectStandardError = false,
            WorkingDirectory = "/",
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Script);
        psi.ArgumentList.Add("pipeline-worker-watchdog");
        psi.ArgumentList.Add(workerPid.ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add(workerId);
        var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            process.Dispose();
            return null;
        }
        return new WorkerWatchdog(process);
    }

    /// <summary>
    /// Stops watching without touching the worker: SIGKILL, so the watchdog never reads end-of-file (the host owns the
    /// worker's end while it lives).
    /// </summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill();
            _process.WaitForExit(TimeSpan.FromSeconds(5));
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Could not be signalled: it holds no resource of ours but a pipe.
        }
        _process.StandardInput.Dispose();
        _process.Dispose();
    }
}
