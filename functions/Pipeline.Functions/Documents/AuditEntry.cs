namespace Pipeline.Functions.Documents;

/// <summary>One event in a document's audit trail.</summary>
/// <param name="Action">What happened, kebab-case (<c>uploaded</c>, <c>digitising</c>, <c>digitised</c>, <c>rejected</c>…).</param>
/// <param name="Actor">Who did it: <c>system</c>, or the key/user and the client address.</param>
/// <param name="Detail">Details a reader needs (status, error, counts), or null.</param>
public sealed record AuditEntry(string Action, string Actor, string? Detail = null)
{
    /// <summary>The actor of work the pipeline does by itself.</summary>
    public const string System = "system";
}

/// <summary>An audit entry as stored: numbered, timed and chained to the one before it.</summary>
/// <param name="Sequence">Position in the whole log (gapless, increasing).</param>
/// <param name="DocumentId">The document concerned.</param>
/// <param name="Time">When (UTC).</param>
/// <param name="Action">What happened.</param>
/// <param name="Actor">Who did it.</param>
/// <param name="Detail">Details, or null.</param>
/// <param name="Hash">SHA-256 over the previous entry's hash and this entry: changing or removing any entry breaks every later hash.</param>
public sealed record StoredAuditEntry(long Sequence, string DocumentId, DateTime Time, string Action, string Actor, string? Detail, string Hash);

/// <summary>The result of checking the audit log's hash chain.</summary>
/// <param name="Intact">True when no entry was changed or removed.</param>
/// <param name="FirstBrokenSequence">The first entry whose hash does not match, or null.</param>
public sealed record AuditVerification(bool Intact, long? FirstBrokenSequence);
