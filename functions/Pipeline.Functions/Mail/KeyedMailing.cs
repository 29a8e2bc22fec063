namespace Pipeline.Functions.Mail;

/// <summary>
/// Sending mails that must go at most once although their sender may be retried after a crash (approval links,
/// meeting notices): each mail has a stable key and queue time, so the outbox keeps it once
/// (<see cref="MailMessage.Key"/>), and the caller records it after it is handed over and skips recorded keys next time.
/// </summary>
public static class KeyedMailing
{
    /// <summary>Mails sent at once: outbox writes are fsynced one by one; a few at once keeps a 100-recipient step quick without a thundering herd on SMTP.</summary>
    public const int ParallelSends = 8;

    /// <summary>
    /// Sends every mail of <paramref name="due"/> (those not recorded yet), composed by <paramref name="compose"/> with its
    /// key and queue time, then <paramref name="record"/>s it; returns how many went out.
    /// </summary>
    public static async Task<int> SendEachOnceAsync<T>(this IMailer mailer, IReadOnlyCollection<T> due,
        Func<T, (MailMessage Message, string Key, DateTime Queued)> compose, Func<T, SentMail, CancellationToken, Task> record, CancellationToken ct)
    {
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = ParallelSends, CancellationToken = ct }, async (item, token) =>
        {
            var (message, key, queued) = compose(item);
            var sent = await mailer.SendAsync(message with { Key = key, Queued = new DateTimeOffset(queued, TimeSpan.Zero) }, token);
            await record(item, sent, token);
        });
        return due.Count;
    }
}
