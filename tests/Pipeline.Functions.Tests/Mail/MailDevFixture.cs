using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.Functions.Tests.Mail;

/// <summary>
/// A private MailDev (npm <c>maildev</c>) on free ports, installed and started by <c>infra/local/maildev.sh</c> and
/// stopped after the tests. Mail sent to <see cref="SmtpPort"/> is read back through its REST API.
/// </summary>
public sealed class MailDevFixture : IAsyncLifetime
{
    private static readonly string Script = Path.Combine(RepoPaths.Root, "infra", "local", "maildev.sh");
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>The SMTP port on 127.0.0.1.</summary>
    public int SmtpPort { get; private set; }

    /// <summary>The web UI and REST API, <c>http://127.0.0.1:port/</c>.</summary>
    public Uri Web { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await RunScriptAsync(TimeSpan.FromMinutes(3), "install");
        SmtpPort = FreePort();
        var webPort = FreePort();
        await RunScriptAsync(TimeSpan.FromSeconds(30), "start", SmtpPort.ToString(), webPort.ToString());
        Web = new Uri($"http://127.0.0.1:{webPort}/");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (SmtpPort != 0) await RunScriptAsync(TimeSpan.FromSeconds(15), "stop", SmtpPort.ToString());
    }

    /// <summary>
    /// Waits (up to 10 s) for the mail whose Message-ID is <paramref name="messageId"/> (with or without angle
    /// brackets) and returns MailDev's JSON for it (<c>subject</c>, <c>to</c>, <c>text</c>, <c>html</c>, <c>headers</c>…).
    /// </summary>
    public async Task<JsonElement> WaitForMailAsync(string messageId)
    {
        var id = messageId.Trim('<', '>');
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var list = JsonDocument.Parse(await _http.GetStringAsync(new Uri(Web, "email")));
            foreach (var mail in list.RootElement.EnumerateArray())
            {
                if (mail.TryGetProperty("messageId", out var m) && m.GetString()?.Trim('<', '>') == id) return mail.Clone();
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new TimeoutException($"No mail {messageId} in MailDev; it holds: {list.RootElement}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Waits (up to <paramref name="timeout"/>, default 60 s) for the one mail to <paramref name="address"/> whose subject
    /// starts with <paramref name="subjectPrefix"/>, and returns MailDev's JSON for it; fails when there are two.
    /// </summary>
    public async Task<JsonElement> WaitForMailToAsync(string address, string subjectPrefix = "", TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var mails = (await MailsToAsync(address)).Where(m => m.GetProperty("subject").GetString()!.StartsWith(subjectPrefix, StringComparison.Ordinal)).ToList();
            if (mails.Count > 0) return Assert.Single(mails);
            if (deadline.Elapsed > (timeout ?? TimeSpan.FromSeconds(60)))
                throw new TimeoutException($"No mail \"{subjectPrefix}…\" to {address} in MailDev.");
            await Task.Delay(200);
        }
    }

    /// <summary>The mails MailDev holds for <paramref name="address"/> (its REST API, <c>GET /email</c>).</summary>
    public async Task<IReadOnlyList<JsonElement>> MailsToAsync(string address)
    {
        using var list = JsonDocument.Parse(await _http.GetStringAsync(new Uri(Web, "email")));
        return [.. list.RootElement.EnumerateArray()
            .Where(m => m.GetProperty("to").EnumerateArray().Any(t => string.Equals(t.GetProperty("address").GetString(), address, StringComparison.OrdinalIgnoreCase)))
            .Select(m => m.Clone())];
    }

    private static async Task RunScriptAsync(TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"maildev.sh {string.Join(' ', args)} took longer than {timeout}: {await stderr}");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"maildev.sh {string.Join(' ', args)} exited {process.ExitCode}: {await stdout}{await stderr}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
