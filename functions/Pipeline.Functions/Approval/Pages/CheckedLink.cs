using Pipeline.Functions.Links;

namespace Pipeline.Functions.Approval;

/// <summary>Whether a link from a mail can still be used, as the link pages answer it.</summary>
public enum LinkUsability
{
    /// <summary>Genuine, unexpired, issued and unused, and its step is open: it may show the document and decide.</summary>
    Usable,
    /// <summary>Not a link token at all (incomplete, mangled by a mail client).</summary>
    Malformed,
    /// <summary>Shaped like a token but the signature does not match (altered).</summary>
    Tampered,
    /// <summary>Genuine but no such link is stored (e.g. data restored from an older backup).</summary>
    Unknown,
    /// <summary>Genuine but past its expiry.</summary>
    Expired,
    /// <summary>A decision was already made with it.</summary>
    Used,
    /// <summary>Its step or approval ended before it was used (another approver decided, the step expired, the approval was cancelled).</summary>
    Superseded,
}

/// <summary>
/// A link checked the same way by every link page: the signature first (no store access for altered or made-up
/// tokens), then the stored link and its approval. Reads only; never changes anything.
/// </summary>
/// <param name="Usability">What the link can do.</param>
/// <param name="Claims">The signed claims; null when the signature did not hold (unsigned data is never trusted).</param>
/// <param name="Approval">The approval as stored; null unless the link is known.</param>
public sealed record CheckedLink(LinkUsability Usability, LinkClaims? Claims, ApprovalRecord? Approval)
{
    /// <summary>True for the outcomes that look like guessing and count against a client's failure limit.</summary>
    public bool IsFailure => Usability is LinkUsability.Malformed or LinkUsability.Tampered or LinkUsability.Unknown or LinkUsability.Expired;

    /// <summary>The approver's own decision with this link, when it was used.</summary>
    public DecisionRecord? OwnDecision => Claims is { } c && Approval is { } a && c.Step < a.Steps.Count
        ? a.Steps[c.Step].Decisions.FirstOrDefault(d => d.Approver == c.Recipient)
        : null;

    /// <summary>Checks <paramref name="token"/> at <paramref name="now"/>.</summary>
    public static async Task<CheckedLink> CheckAsync(string? token, SignedLinks links, ApprovalStore store, DateTimeOffset now, CancellationToken ct)
    {
        var check = links.Verify(token, now);
        if (check.Result == LinkCheckResult.Malformed) return new(LinkUsability.Malformed, null, null);
        if (check.Result == LinkCheckResult.Tampered || check.Claims is not { } claims) return new(LinkUsability.Tampered, null, null);

        // The stored link must match the signed claims exactly: a token signed for other claims under a reused id is not this link.
        var link = await store.GetLinkAsync(claims.TokenId, ct);
        if (link is null || link.ApprovalId != claims.Subject || link.Step != claims.Step || link.Approver != claims.Recipient)
            return new(LinkUsability.Unknown, claims, null);
        var approval = await store.GetAsync(claims.Subject, ct);
        if (approval is null || claims.Step >= approval.Steps.Count || claims.Step >= approval.Route.Steps.Count)
            return new(LinkUsability.Unknown, claims, null);

        if (check.Result == LinkCheckResult.Expired) return new(LinkUsability.Expired, claims, approval);
        if (link.State == LinkState.Used) return new(LinkUsability.Used, claims, approval);
        // The same conditions under which the store refuses a decision as superseded, so the page never offers a form
        // that could only fail.
        if (link.State == LinkState.Superseded || approval.Status != ApprovalStatus.Pending || approval.CurrentStep != claims.Step
            || approval.Steps[claims.Step].Status.IsFinished())
        {
            return new(LinkUsability.Superseded, claims, approval);
        }
        return new(LinkUsability.Usable, claims, approval);
    }
}
