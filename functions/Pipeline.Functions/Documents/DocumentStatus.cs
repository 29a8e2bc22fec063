namespace Pipeline.Functions.Documents;

/// <summary>Where a document is in its life (API.md). Stored and served by name.</summary>
public enum DocumentStatus
{
    /// <summary>Stored; digitisation not started yet.</summary>
    Received,
    /// <summary>Pages are being read.</summary>
    Digitising,
    /// <summary>Digitised, but a person must check it (no readable text, low confidence, unsure fields).</summary>
    NeedsReview,
    /// <summary>Archive PDF and text are ready.</summary>
    Digitised,
    /// <summary>In an approval workflow.</summary>
    InApproval,
    /// <summary>Approved.</summary>
    Approved,
    /// <summary>Refused: by an approver, or at intake because the file cannot be digitised (see the error).</summary>
    Rejected,
    /// <summary>Returned for revision.</summary>
    Returned,
    /// <summary>Digitisation failed after retries (see the error); uploading the same file again starts afresh.</summary>
    Failed,
}
