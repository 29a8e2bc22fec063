using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Functions.Durable;

namespace Pipeline.Functions.Documents;

/// <summary>
/// A document as <c>GET /api/documents/{id}</c> serves it (API.md "Documents"). <c>Duplicates</c> lists the other
/// documents of the office with the same number, symbol and issuing body (the registry's duplicate warning).
/// </summary>
public sealed record DocumentResponse(
    string Id,
    string Office,
    string? Dossier,
    string FileName,
    string Sha256,
    string ContentType,
    long SizeBytes,
    string Status,
    DocumentError? Error,
    string? ReviewReason,
    int? Pages,
    string Secrecy,
    string Languages,
    JsonObject Fields,
    IReadOnlyList<string> Duplicates,
    string InstanceId,
    string StatusQueryGetUri,
    DigitisationSummary? Digitisation,
    DateTime CreatedTime,
    DateTime LastUpdatedTime,
    DocumentLinks Links)
{
    /// <summary>The names of the fields (API.md), in order; every one is present, null until read.</summary>
    public static readonly IReadOnlyList<string> FieldNames =
        ["issuer", "code", "number", "symbol", "type", "summary", "place", "date", "signerAuthority", "signerTitle", "signer", "recipients", "secrecy", "urgency"];

    /// <summary>The response for <paramref name="d"/>, with absolute links based on <paramref name="request"/>.</summary>
    public static DocumentResponse From(DocumentRecord d, HttpRequest request, IReadOnlyList<string>? duplicates = null)
    {
        var self = $"{request.Scheme}://{request.Host}{request.PathBase}/api/documents/{Uri.EscapeDataString(d.Id)}";
        return new DocumentResponse(d.Id, d.Office, d.Dossier, d.FileName, d.Sha256, d.ContentType, d.SizeBytes, d.Status.ToString(), d.Error,
            d.ReviewReason, d.Pages, d.Secrecy.ToApiName(), d.Languages, FieldsOf(d.FieldsJson), duplicates ?? [], d.InstanceId,
            DurableManagementApi.InstanceUri(request, d.InstanceId),
            d.Engine is null ? null : new DigitisationSummary(d.Engine, d.Languages, d.EngineMilliseconds ?? 0, d.PdfA ?? false),
            d.CreatedTime, d.LastUpdatedTime,
            new DocumentLinks(self + "/original", d.ArchiveSha256 is null ? null : self + "/archive", d.TextSha256 is null ? null : self + "/text"));
    }

    // Every field is always there, so clients need no existence checks: {"value":null,"confidence":0,"corrected":false} until read.
    private static JsonObject FieldsOf(string? json)
    {
        var stored = json is null ? null : JsonNode.Parse(json) as JsonObject;
        var fields = new JsonObject();
        foreach (var name in FieldNames)
        {
            fields[name] = stored?[name]?.DeepClone() ?? (name == "recipients"
                ? new JsonObject { ["value"] = new JsonArray(), ["confidence"] = 0, ["corrected"] = false }
                : new JsonObject { ["value"] = null, ["confidence"] = 0, ["corrected"] = false });
        }
        return fields;
    }
}

/// <summary>How the document was read.</summary>
/// <param name="Engine">OCR engine.</param>
/// <param name="Languages">Languages it read in.</param>
/// <param name="EngineMilliseconds">Wall-clock time inside the engine, all pages.</param>
/// <param name="PdfA">True when the archive PDF is PDF/A-2b.</param>
public sealed record DigitisationSummary(string Engine, string Languages, long EngineMilliseconds, bool PdfA);

/// <summary>Where the document's bytes are.</summary>
/// <param name="Original">The upload, byte for byte.</param>
/// <param name="Archive">The searchable archive PDF, once made.</param>
/// <param name="Text">The plain text, once read.</param>
public sealed record DocumentLinks(string Original, string? Archive, string? Text);

/// <summary>One page of search results.</summary>
public sealed record DocumentListResponse(IReadOnlyList<DocumentSummary> Documents, int Page, int PageSize, int Total, string? NextPage);

/// <summary>A document in a list.</summary>
public sealed record DocumentSummary(string Id, string Office, string? Dossier, string FileName, string Status, int? Pages, string Secrecy,
    string InstanceId, DateTime CreatedTime, DateTime LastUpdatedTime, string? Type, string? Code, string? Summary)
{
    /// <summary>The summary of <paramref name="d"/>.</summary>
    public static DocumentSummary From(DocumentRecord d)
    {
        JsonObject? fields = null;
        if (d.FieldsJson is not null)
        {
            try { fields = JsonNode.Parse(d.FieldsJson) as JsonObject; }
            catch (JsonException) { }
        }
        string? Value(string name) => fields?[name]?["value"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        return new DocumentSummary(d.Id, d.Office, d.Dossier, d.FileName, d.Status.ToString(), d.Pages, d.Secrecy.ToApiName(), d.InstanceId,
            d.CreatedTime, d.LastUpdatedTime, Value("type"), Value("code"), Value("summary"));
    }
}
