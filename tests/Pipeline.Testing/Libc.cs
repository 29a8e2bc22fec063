using System.Runtime.InteropServices;

namespace Pipeline.Testing;

/// <summary>The few libc calls the helpers need (Linux only).</summary>
internal static class Libc
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    private const int ESRCH = 3;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [DllImport("libc")]
    private static extern uint geteuid();

    /// <summary>Sends <paramref name="signal"/> to one process (not its tree). False if it does not exist.</summary>
    public static bool Kill(int pid, int signal) => kill(pid, signal) == 0;

    /// <summary>True unless the process certainly does not exist (kill(pid, 0) fails with ESRCH).</summary>
    public static bool ProcessExists(int pid)
    {
        if (pid <= 0) return false;
        if (kill(pid, 0) == 0) return true;
        return Marshal.GetLastPInvokeError() != ESRCH;
    }

    public static bool IsRoot
    {
        get
        {
            if (Environment.UserName == "root") return true;
            try { return geteuid() == 0; }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
        }
    }
}
