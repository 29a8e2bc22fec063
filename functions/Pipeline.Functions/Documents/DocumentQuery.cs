namespace Pipeline.Functions.Documents;

/// <summary>A search over the catalog (<c>GET /api/documents</c>).</summary>
/// <param name="Text">Words to find in the text and fields; case and diacritics do not matter. Null: all.</param>
/// <param name="Office">Only this office's documents.</param>
/// <param name="Status">Only documents in this status.</param>
/// <param name="Type">Only documents of this type (e.g. <c>Kế hoạch</c>).</param>
/// <param name="From">Issued (else uploaded) on or after this day.</param>
/// <param name="To">Issued (else uploaded) on or before this day.</param>
/// <param name="Page">Page number, from 1.</param>
/// <param name="PageSize">Documents per page.</param>
public sealed record DocumentQuery(string? Text, string? Office, DocumentStatus? Status, string? Type, DateOnly? From, DateOnly? To, int Page, int PageSize)
{
    /// <summary>Only documents filed in this dossier.</summary>
    public string? Dossier { get; init; }
}
