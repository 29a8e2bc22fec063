using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Pipeline.Testing;

/// <summary>
/// A private Azurite (Azure Storage emulator: blob, queue, table) for tests: the one <c>infra/local/azurite.sh install</c>
/// put under the repository's <c>.tools/azurite</c>, on ports the OS picks on 127.0.0.1, with its data in a temp dir.
/// Disposing kills its process tree and deletes the data.
/// </summary>
public sealed partial class AzuriteEmulator : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account (public, the same in every Azurite).</summary>
    private const string AccountName = "devstoreaccount1";

    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly ChildProcess _process;
    private readonly string _directory;

    private AzuriteEmulator(ChildProcess process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    /// <summary>The Azurite launcher (.tools/azurite/node_modules/.bin/azurite).</summary>
    public static string Executable => Path.Combine(RepoPaths.Root, ".tools", "azurite", "node_modules", ".bin", "azurite");

    /// <summary>Blob service port.</summary>
    public int BlobPort { get; private set; }

    /// <summary>Queue service port.</summary>
    public int QueuePort { get; private set; }

    /// <summary>Table service port.</summary>
    public int TablePort { get; private set; }

    /// <summary>A connection string for this instance (the development account, its three endpoints).</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    /// <summary>Its console output so far (startup lines and errors; requests are not logged).</summary>
    public string Output => _process.Output;

    /// <summary>The Azurite process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts Azurite and returns once all three services answer HTTP. Throws <see cref="InvalidOperationException"/>
    /// with its output when it is not installed, exits, or does not answer within a minute.
    /// </summary>
    public static async Task<AzuriteEmulator> StartAsync(CancellationToken ct = default)
    {
        if (!File.Exists(Executable))
            throw new InvalidOperationException($"Azurite is not installed at {Executable}: run infra/local/azurite.sh install (test.sh does).");
        var directory = Directory.CreateTempSubdirectory("pipeline-azurite-").FullName;
        // Port 0: the OS picks free ports and Azurite prints them, so parallel test runs never collide.
        // --skipApiVersionCheck: current Azure SDKs send service versions newer than Azurite 3.37.0 knows.
        // --silent: no access log; --loose: ignore headers Azurite does not implement rather than fail.
        var azurite = new AzuriteEmulator(ChildProcess.StartProgram(Executable,
        [
            "--silent", "--skipApiVersionCheck", "--loose", "--location", directory,
            "--blobHost", "127.0.0.1", "--blobPort", "0", "--queueHost", "127.0.0.1", "--queuePort", "0", "--tableHost", "127.0.0.1", "--tablePort", "0",
        ], directory), directory);
        try
        {
            await azurite.WaitUntilAnsweringAsync(ct).ConfigureAwait(false);
            return azurite;
        }
        catch
        {
            await azurite.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Kills Azurite (its process tree) and deletes its data.</summary>
    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Still being written by a process that was just killed; it is a temp dir.
        }
    }

    /// <summary>Reads the ports from Azurite's "listening at" lines, then polls each service until it answers.</summary>
    private async Task WaitUntilAnsweringAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (_process.HasExited)
                throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode} at start. Its output:\n{Output}");
            if (clock.Elapsed > StartTimeout)
                throw new InvalidOperationException($"Azurite did not answer within {StartTimeout.TotalSeconds:0} s. Its output:\n{Output}");
            var ports = ListeningPattern().Matches(Output).ToDictionary(m => m.Groups["service"].Value, m => int.Parse(m.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture));
            if (ports.TryGetValue("Blob", out var blob) && ports.TryGetValue("Queue", out var queue) && ports.TryGetValue("Table", out var table))
            {
                (BlobPort, QueuePort, TablePort) = (blob, queue, table);
                if (await AnswersAsync(http, blob, ct).ConfigureAwait(false) && await AnswersAsync(http, queue, ct).ConfigureAwait(false)
                    && await AnswersAsync(http, table, ct).ConfigureAwait(false))
                {
                    return;
                }
            }
            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Any HTTP answer counts (an anonymous request gets 400 or 403): the service is up.</summary>
    private static async Task<bool> AnswersAsync(HttpClient http, int port, CancellationToken ct)
    {
        try
        {
            using var _ = await http.GetAsync($"http://127.0.0.1:{port}/{AccountName}?comp=list", ct).ConfigureAwait(false);
            return true;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"Azurite (?<service>Blob|Queue|Table) service is successfully listening at http://127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex ListeningPattern();
}
