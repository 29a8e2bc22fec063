using Pipeline.Functions.Approval;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// Participants' personal links (<c>…/meetings/{token}</c>): the approval links' format and rules (HMAC-signed, bound to
/// meeting and participant, expiring), under a key derived for meetings, so no approval link opens a meeting or the other way round.
/// </summary>
public sealed class MeetingLinks(ApprovalLinkKey key)
{
    private readonly ApprovalLinks _signer = new(key.Derive("meeting-links"));

    /// <summary>The token of <paramref name="link"/>.</summary>
    public string Issue(MeetingLinkRecord link) =>
        _signer.Issue(new ApprovalLinkClaims(link.MeetingId, 0, link.Participant, link.TokenId, new DateTimeOffset(link.ExpiresAt, TimeSpan.Zero)));

    /// <summary>Checks a token; the claims' <see cref="ApprovalLinkClaims.ApprovalId"/> is the meeting id, <see cref="ApprovalLinkClaims.Approver"/> the participant.</summary>
    public LinkCheck Verify(string? token, DateTimeOffset now) => _signer.Verify(token, now);
}
