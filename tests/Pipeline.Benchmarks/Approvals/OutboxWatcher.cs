using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Pipeline.Benchmarks.Approvals;

/// <summary>An invitation found in the outbox: to whom, its decision link, and when this process first saw the file.</summary>
/// <param name="Seen">A <see cref="Stopwatch.GetTimestamp"/> value.</param>
/// <param name="ByPoll">True when the polling fallback found it before the watcher did.</param>
internal sealed record OutboxMail(string File, string To, Uri Link, long Seen, bool ByPoll);

/// <summary>
/// Watches the outbox for new <c>*.eml</c> files and indexes them by recipient. The mailer writes a temporary name
/// and renames it, so a file with the <c>.eml</c> name is whole. inotify (FileSystemWatcher) gives the time a mail
/// appeared to well under a millisecond; one directory scan every few milliseconds while anyone waits (one for all
/// waiters, so concurrent waits do not multiply the load on the machine being measured) covers a missed or
/// overflowed event, and the counts say which one found each mail.
/// </summary>
internal sealed partial class OutboxWatcher : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);
    private readonly string _dir;
    private readonly FileSystemWatcher _watcher;
    private readonly ConcurrentDictionary<string, byte> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<OutboxMail>> _byTo = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private int _byWatcher, _byPoll, _waiting;

    public OutboxWatcher(string outboxDirectory)
    {
        _dir = outboxDirectory;
        Directory.CreateDirectory(_dir); // the app creates it on the first send; the watcher needs it now
        // No name filter: a rename from ".x.eml.guid.tmp" to "x.eml" must be seen whatever the filter does with old names.
        _watcher = new FileSystemWatcher(_dir) { InternalBufferSize = 64 * 1024, NotifyFilter = NotifyFilters.FileName };
        _watcher.Renamed += (_, e) => Found(e.FullPath, Stopwatch.GetTimestamp(), byPoll: false);
        _watcher.Created += (_, e) => Found(e.FullPath, Stopwatch.GetTimestamp(), byPoll: false);
        _watcher.EnableRaisingEvents = true;
        _ = Task.Run(PollAsync);
    }

    /// <summary>Mails found by the watcher and by the polling fallback so far.</summary>
    public (int Watcher, int Poll) Counts => (_byWatcher, _byPoll);

    /// <summary>The invitation to <paramref name="to"/> (each benchmark address gets exactly one), waiting for it if need be.</summary>
    public async Task<OutboxMail> WaitForAsync(string to, TimeSpan timeout)
    {
        var mail = Slot(to).Task;
        if (mail.IsCompleted) return await mail;
        Interlocked.Increment(ref _waiting);
        try
        {
            if (await Task.WhenAny(mail, Task.Delay(timeout)) != mail)
                throw new TimeoutException($"No mail to {to} in {_dir} after {timeout.TotalSeconds:F0} s.");
            return await mail;
        }
        finally { Interlocked.Decrement(ref _waiting); }
    }

    private async Task PollAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try { await Task.Delay(PollInterval, _stop.Token); }
            catch (OperationCanceledException) { return; }
            if (Volatile.Read(ref _waiting) > 0) Scan();
        }
    }

    private TaskCompletionSource<OutboxMail> Slot(string to) =>
        _byTo.GetOrAdd(to, _ => new TaskCompletionSource<OutboxMail>(TaskCreationOptions.RunContinuationsAsynchronously));

    private void Scan()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var file in Directory.EnumerateFiles(_dir, "*.eml")) Found(file, now, byPoll: true);
    }

    private void Found(string path, long seen, bool byPoll)
    {
        if (!path.EndsWith(".eml", StringComparison.Ordinal) || Path.GetFileName(path).StartsWith('.')) return;
        if (!_files.TryAdd(path, 0)) return; // the other path saw it first
        try
        {
            var (to, link) = Read(File.ReadAllBytes(path));
            if (byPoll) Interlocked.Increment(ref _byPoll); else Interlocked.Increment(ref _byWatcher);
            if (to is null || link is null) return; // not an invitation (none are expected, but a reminder has no new address anyway)
            Slot(to).TrySetResult(new OutboxMail(path, to, link, seen, byPoll));
        }
        catch (IOException)
        {
            _files.TryRemove(path, out _); // try again on the next scan
        }
        catch (FormatException e)
        {
            Console.WriteLine($"  note: {Path.GetFileName(path)} is not a mail this benchmark can read: {e.Message}");
        }
    }

    /// <summary>
    /// The recipient and the decision link of an outbox mail: the <c>To:</c> address, and the <c>/approvals/…</c> URL
    /// alone on a line of the text/plain part (base64 or quoted-printable, UTF-8; multipart/alternative).
    /// Enough of RFC 5322/2045 for the app's own mails, as tests/Pipeline.Functions.Tests/Mail/EmlReader.cs reads them.
    /// </summary>
    internal static (string? To, Uri? Link) Read(byte[] bytes)
    {
        var all = Encoding.UTF8.GetString(bytes);
        var split = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (split < 0) return (null, null);
        var headers = Headers(all[..split]);
        var to = headers.TryGetValue("to", out var toValue) && AddressPattern().Match(toValue) is { Success: true } a ? a.Value.ToLowerInvariant() : null;
        var text = headers.TryGetValue("content-type", out var type) && BoundaryPattern().Match(type) is { Success: true } b
            ? TextPart(all[(split + 4)..], b.Groups[1].Value.Length > 0 ? b.Groups[1].Value : b.Groups[2].Value)
            : null;
        var link = text is null ? null : LinkPattern().Match(text) is { Success: true } l ? new Uri(l.Value) : null;
        return (to, link);
    }

    private static string? TextPart(string body, string boundary)
    {
        foreach (var piece in ("\r\n" + body).Split("\r\n--" + boundary).Skip(1))
        {
            var end = piece.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0) continue;
            var headers = Headers(piece[..end].TrimStart('\r', '\n'));
            if (!headers.TryGetValue("content-type", out var type) || !type.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase)) continue;
            var content = piece[(end + 4)..];
            var encoding = headers.TryGetValue("content-transfer-encoding", out var e) ? e.Trim().ToLowerInvariant() : "7bit";
            return encoding switch
            {
                "base64" => Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(content.Where(c => !char.IsWhiteSpace(c))))),
                "quoted-printable" => content.Replace("=\r\n", ""), // a URL is ASCII; only soft breaks matter
                _ => content,
            };
        }
        return null;
    }

    private static Dictionary<string, string> Headers(string block)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? last = null;
        foreach (var line in block.Split("\r\n"))
        {
            if (line.Length > 0 && line[0] is ' ' or '\t' && last is not null) { headers[last] += line; continue; } // unfold
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            last = line[..colon].Trim();
            headers.TryAdd(last, line[(colon + 1)..].Trim()); // the first of a name counts
        }
        return headers;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _watcher.Dispose();
    }

    [GeneratedRegex(@"[^\s<>""',;:]+@[^\s<>""',;:]+")]
    private static partial Regex AddressPattern();

    [GeneratedRegex("""boundary=(?:"([^"]+)"|([^;\s]+))""", RegexOptions.IgnoreCase)]
    private static partial Regex BoundaryPattern();

    [GeneratedRegex(@"(?m)https?://\S+/approvals/[^\s<>""]+")]
    private static partial Regex LinkPattern();
}
