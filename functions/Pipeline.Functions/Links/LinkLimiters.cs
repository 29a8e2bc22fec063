using System.Collections.Concurrent;

namespace Pipeline.Functions.Links;

/// <summary>One <see cref="LinkLimiter"/> per surface of link pages (approvals, meetings), kept for the life of the app.</summary>
public sealed class LinkLimiters(MailedLinkOptions options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, LinkLimiter> _limiters = new(StringComparer.Ordinal);

    /// <summary>The limiter of <paramref name="surface"/>, under the configured limits.</summary>
    public LinkLimiter For(string surface) =>
        _limiters.GetOrAdd(surface, _ => new LinkLimiter(options.MaxRequestsPerMinute, options.MaxFailuresPerMinute, clock));
}
