using Pipeline.Functions.Links;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// Participants' personal links (<c>…/meetings/{token}</c>): the mailed links' format and rules (HMAC-signed, bound to
/// meeting and participant, expiring), under a key derived for meetings, so no approval link opens a meeting or the other way round.
/// </summary>
public sealed class MeetingLinks(LinkKey key)
{
    private readonly SignedLinks _signer = new(key.Derive("meeting-links"));

    /// <summary>The token of <paramref name="link"/>.</summary>
    public string Issue(MeetingLinkRecord link) =>
        _signer.Issue(new LinkClaims(link.MeetingId, 0, link.Participant, link.TokenId, new DateTimeOffset(link.ExpiresAt, TimeSpan.Zero)));

    /// <summary>Checks a token; the claims' <see cref="LinkClaims.Subject"/> is the meeting id, <see cref="LinkClaims.Recipient"/> the participant.</summary>
    public LinkCheck Verify(string? token, DateTimeOffset now) => _signer.Verify(token, now);
}
