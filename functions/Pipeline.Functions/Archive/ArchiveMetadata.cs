using Pipeline.Functions.Documents;
using Pipeline.Functions.Extraction;

namespace Pipeline.Functions.Archive;

/// <summary>
/// The archive record of one document (Decree 30/2020/NĐ-CP annex VI; the archive circulars' document metadata),
/// in the names an archive system imports. Values not known are null, never guessed.
/// </summary>
public sealed record ArchiveMetadata(
    string OrganId,
    string? FileCode,
    int? Ordinal,
    string? TypeName,
    string? CodeNumber,
    string? CodeNotation,
    string? IssuedDate,
    string? OrganName,
    string? Subject,
    string Language,
    int? PageAmount,
    string? Description,
    string? SignerPosition,
    string? SignerName,
    IReadOnlyList<string> Recipients,
    string? Priority,
    string? Secrecy,
    IReadOnlyList<string> Keywords,
    string UsageMode,
    string ConfidenceLevel,
    string? Autograph,
    string? PhysicalCondition,
    string Format,
    string Sha256,
    bool? PdfA,
    IReadOnlyList<string> FieldsToCheck)
{
    /// <summary>The record of <paramref name="document"/>, at <paramref name="ordinal"/> in its dossier (null outside one).</summary>
    public static ArchiveMetadata For(DocumentRecord document, int? ordinal, double reviewThreshold)
    {
        var f = DocumentFields.Parse(document.FieldsJson);
        string? V(string name) => f?.Value(name);
        var issuer = V("issuer")?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var position = V("signerAuthority") is { } authority ? $"{authority} {V("signerTitle")}".Trim() : V("signerTitle");
        return new ArchiveMetadata(
            OrganId: document.Office,
            FileCode: document.Dossier,
            Ordinal: ordinal,
            TypeName: V("type"),
            CodeNumber: V("number"),
            CodeNotation: V("symbol"),
            IssuedDate: V("date"),
            // The issuing organ is the last issuer line (the first names its parent body).
            OrganName: issuer is { Length: > 0 } ? issuer[^1] : null,
            Subject: V("summary"),
            Language: "vi",
            PageAmount: document.Pages,
            Description: issuer is { Length: > 1 } ? $"Cơ quan chủ quản: {issuer[0]}" : null,
            SignerPosition: position,
            SignerName: V("signer"),
            Recipients: f?.ListValue("recipients") ?? [],
            Priority: V("urgency"),
            Secrecy: V("secrecy") ?? (document.Secrecy.IsSecret() ? document.Secrecy.ToApiName() : null),
            Keywords: KeywordsOf(V("summary")),
            // Secret documents are restricted by law; others are open to the office's users.
            UsageMode: document.Secrecy.IsSecret() ? "Hạn chế" : "Không hạn chế",
            ConfidenceLevel: "Bản số hóa",
            Autograph: null,
            PhysicalCondition: null,
            Format: document.ArchiveSha256 is null ? document.ContentType : document.PdfA == true ? "PDF/A-2b" : "PDF",
            Sha256: document.ArchiveSha256 ?? document.Sha256,
            PdfA: document.PdfA,
            FieldsToCheck: f?.DoubtfulKeyFields(reviewThreshold) ?? DocumentFields.KeyFields);
    }

    /// <summary>Keywords: the subject's phrases (split at commas, semicolons and "và"), without the lead word.</summary>
    public static IReadOnlyList<string> KeywordsOf(string? summary)
    {
        if (string.IsNullOrWhiteSpace(summary)) return [];
        var text = summary.Trim();
        foreach (var lead in new[] { "V/v ", "về ", "Về " })
            if (text.StartsWith(lead, StringComparison.Ordinal)) text = text[lead.Length..];
        return [.. text.Replace(" và ", ",").Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(k => k.Length > 2).Distinct(StringComparer.OrdinalIgnoreCase)];
    }
}
