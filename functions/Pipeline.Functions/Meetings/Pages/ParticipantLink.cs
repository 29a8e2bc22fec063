using Pipeline.Functions.Links;

namespace Pipeline.Functions.Meetings;

/// <summary>Whether a participant's link can be used, as the participant pages answer it.</summary>
internal enum ParticipantLinkState
{
    /// <summary>Genuine, unexpired, stored, and its participant is still invited.</summary>
    Usable,
    /// <summary>Not a link token at all (incomplete, mangled by a mail client).</summary>
    Malformed,
    /// <summary>Shaped like a token but the signature does not match (altered).</summary>
    Tampered,
    /// <summary>Genuine but no such link or meeting is stored, or the meeting was never published.</summary>
    Unknown,
    /// <summary>Genuine but past its expiry.</summary>
    Expired,
    /// <summary>Genuine, but its participant was taken off the meeting's list since it was mailed.</summary>
    Removed,
    /// <summary>Genuine, but the meeting is archived: its minutes are in the archive and links serve nothing more.</summary>
    Archived,
}

/// <summary>
/// A participant's link checked the same way by every participant page: the signature first (no store access for
/// altered or made-up tokens), then the stored link, the meeting and the participant list. Reads only.
/// </summary>
/// <param name="State">What the link can do.</param>
/// <param name="Claims">The signed claims; null when the signature did not hold (unsigned data is never trusted).</param>
/// <param name="Meeting">The meeting as stored; null unless the link is known.</param>
/// <param name="Participant">The participant as on the current list; null unless usable.</param>
internal sealed record ParticipantLink(ParticipantLinkState State, LinkClaims? Claims, MeetingRecord? Meeting, MeetingParticipant? Participant)
{
    /// <summary>True for the outcomes that look like guessing and count against a client's failure limit.</summary>
    public bool IsFailure => State is ParticipantLinkState.Malformed or ParticipantLinkState.Tampered or ParticipantLinkState.Unknown or ParticipantLinkState.Expired;

    /// <summary>Checks <paramref name="token"/> at <paramref name="now"/>.</summary>
    public static async Task<ParticipantLink> CheckAsync(string? token, MeetingLinks links, MeetingStore store, DateTimeOffset now, CancellationToken ct)
    {
        var check = links.Verify(token, now);
        if (check.Result == LinkCheckResult.Malformed) return new(ParticipantLinkState.Malformed, null, null, null);
        if (check.Result == LinkCheckResult.Tampered || check.Claims is not { } claims) return new(ParticipantLinkState.Tampered, null, null, null);

        // The stored link must match the signed claims exactly: a token signed for other claims under a reused id is not this link.
        var link = await store.GetLinkAsync(claims.TokenId, ct);
        if (link is null || claims.Step != 0 || link.MeetingId != claims.Subject || !string.Equals(link.Participant, claims.Recipient, StringComparison.Ordinal))
            return new(ParticipantLinkState.Unknown, claims, null, null);
        // Links are mailed only on publishing; a Draft meeting behind one means the data is not what the mail was sent from.
        var meeting = await store.GetAsync(link.MeetingId, ct);
        if (meeting is null || meeting.Status == MeetingStatus.Draft) return new(ParticipantLinkState.Unknown, claims, null, null);

        if (check.Result == LinkCheckResult.Expired) return new(ParticipantLinkState.Expired, claims, meeting, null);
        if (meeting.Status == MeetingStatus.Archived) return new(ParticipantLinkState.Archived, claims, meeting, null);
        // The list is read now, not when the mail was sent: someone taken off the meeting loses the pack with it.
        return meeting.Plan.Participant(claims.Recipient) is { } participant
            ? new(ParticipantLinkState.Usable, claims, meeting, participant)
            : new(ParticipantLinkState.Removed, claims, meeting, null);
    }
}
