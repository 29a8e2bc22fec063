using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using MailAddress = System.Net.Mail.MailAddress;

namespace Pipeline.Functions.Mail;

/// <summary>
/// The embedded default: each mail becomes one RFC 5322 file <c>&lt;outbox&gt;/&lt;utc-timestamp&gt;-&lt;id&gt;.eml</c>
/// (timestamp like <c>20261122T204501123Z</c>, so names sort by time of sending; id is the Message-ID's unique part).
/// Any mail reader opens the files; nothing leaves the machine.
/// </summary>
/// <remarks>
/// A file is written under a temporary name in the outbox (<c>.*.tmp</c>, flushed to disk) and then renamed, so
/// anyone listing <c>*.eml</c> sees whole mails only, even if the process dies mid-write. Safe for concurrent sends.
/// </remarks>
public sealed class OutboxMailer : IMailer
{
    private readonly MailAddress _from;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxMailer> _logger;

    /// <param name="outboxDirectory">Where the files go; created on the first send.</param>
    /// <param name="from">The From address, e.g. <c>Pipeline &lt;pipeline@localhost&gt;</c>.</param>
    /// <param name="time">The clock for Date and file names (default: the system clock).</param>
    /// <param name="logger">Logs each file written (Message-ID and path, not the recipient).</param>
    public OutboxMailer(string outboxDirectory, string from = MailSettings.DefaultFrom, TimeProvider? time = null,
        ILogger<OutboxMailer>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outboxDirectory);
        OutboxDirectory = Path.GetFullPath(outboxDirectory);
        _from = MailHeaderRules.ParseAddress(from, "From");
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<OutboxMailer>.Instance;
    }

    /// <summary>The folder holding the <c>.eml</c> files.</summary>
    public string OutboxDirectory { get; }

    /// <inheritdoc />
    public async Task<SentMail> SendAsync(MailMessage message, CancellationToken ct = default)
    {
        var to = MailHeaderRules.Check(message);
        ct.ThrowIfCancellationRequested();

        var now = message.Queued ?? _time.GetUtcNow();
        var id = message.Key ?? Guid.NewGuid().ToString("N");
        var messageId = $"<{id}@{_from.Host}>";
        var name = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture) + "-" + id + ".eml";
        var path = Path.Combine(OutboxDirectory, name);
        // A keyed mail already in the outbox was sent by an earlier try that died before its caller recorded it.
        if (message.Key is not null && File.Exists(path)) return new SentMail(messageId, path);

        var bytes = EmlFile.Compose(message, _from, to, messageId, now);
        CreateOwnerOnlyDirectory(OutboxDirectory);
        var temporary = Path.Combine(OutboxDirectory, "." + name + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            // Mails carry live decision links: readable by the app's user only (0600), like the keys.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, Options = FileOptions.Asynchronous };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            await using (var file = new FileStream(temporary, options))
            {
                await file.WriteAsync(bytes, ct);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (message.Key is not null && File.Exists(path))
        {
            // Two tries of the same keyed mail at once: the other one's file is the mail.
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            return new SentMail(messageId, path);
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
        _logger.LogInformation("Mail {MessageId} written to {Path}", messageId, path);
        return new SentMail(messageId, path);
    }

    // The outbox folder, made owner-only (0700) when this creates it.
    private static void CreateOwnerOnlyDirectory(string path)
    {
        if (Directory.Exists(path)) return;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
