namespace Pipeline.Functions.Documents;

/// <summary>One uploaded document as the catalog keeps it. Outputs are blob addresses (SHA-256) in the blob store.</summary>
public sealed record DocumentRecord
{
    /// <summary>Document id (time-ordered, 32 hex digits).</summary>
    public required string Id { get; init; }
    /// <summary>The office (tenant) that owns it.</summary>
    public required string Office { get; init; }
    /// <summary>The dossier (hồ sơ) it was filed in, if any.</summary>
    public string? Dossier { get; init; }
    /// <summary>The file name as uploaded (display only; the type is decided by content).</summary>
    public required string FileName { get; init; }
    /// <summary>SHA-256 of the original: its blob address.</summary>
    public required string Sha256 { get; init; }
    /// <summary>Media type detected from the content.</summary>
    public required string ContentType { get; init; }
    /// <summary>Size of the original.</summary>
    public required long SizeBytes { get; init; }
    /// <summary>Current status.</summary>
    public DocumentStatus Status { get; init; } = DocumentStatus.Received;
    /// <summary>Why it was rejected or failed.</summary>
    public DocumentError? Error { get; init; }
    /// <summary>Why it needs review (set with <see cref="DocumentStatus.NeedsReview"/>).</summary>
    public string? ReviewReason { get; init; }
    /// <summary>Page count, once known.</summary>
    public int? Pages { get; init; }
    /// <summary>Secrecy level: declared at upload, raised (never lowered) when detected.</summary>
    public SecrecyLevel Secrecy { get; init; }
    /// <summary>Tesseract languages to read it in (e.g. <c>vie+eng</c>).</summary>
    public required string Languages { get; init; }
    /// <summary>The DigitiseDocument orchestration instance.</summary>
    public required string InstanceId { get; init; }
    /// <summary>The PDF the pages are read from: the original when it is a PDF, else the images wrapped in a PDF.</summary>
    public string? BaseSha256 { get; init; }
    /// <summary>The searchable archive PDF.</summary>
    public string? ArchiveSha256 { get; init; }
    /// <summary>The plain text (UTF-8, NFC, pages separated by form feed).</summary>
    public string? TextSha256 { get; init; }
    /// <summary>True when the archive PDF was made PDF/A-2b.</summary>
    public bool? PdfA { get; init; }
    /// <summary>The OCR engine that read the pages.</summary>
    public string? Engine { get; init; }
    /// <summary>Wall-clock time spent inside the OCR engine, all pages together.</summary>
    public long? EngineMilliseconds { get; init; }
    /// <summary>Extracted fields as JSON (the extraction feature owns the shape); null until extracted.</summary>
    public string? FieldsJson { get; init; }
    /// <summary>The type name from the fields (for search filters), or null.</summary>
    public string? DocType { get; init; }
    /// <summary>The issued date from the fields, yyyy-MM-dd, or null.</summary>
    public string? IssuedDate { get; init; }
    /// <summary>Number + symbol + issuing body, folded (the registry's duplicate key), or null.</summary>
    public string? RegistryKey { get; init; }
    /// <summary>When it was uploaded (UTC).</summary>
    public required DateTime CreatedTime { get; init; }
    /// <summary>When it last changed (UTC).</summary>
    public required DateTime LastUpdatedTime { get; init; }
}
