using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Pipeline.Functions.Http;
using Pipeline.Functions.Storage;

namespace Pipeline.Functions.Documents;

/// <summary>
/// Reading documents (API.md "Documents"): the record, search, the original as uploaded, the archive PDF, the text,
/// and the audit trail. Every read of a document's content is itself recorded in its audit trail (who, when, what).
/// </summary>
public static class DocumentsApi
{
    /// <summary>Largest page of a search.</summary>
    public const int MaxPageSize = 100;

    private const int DefaultPageSize = 20;

    /// <summary>Maps the read routes.</summary>
    public static IEndpointRouteBuilder MapDocumentsApi(this IEndpointRouteBuilder app)
    {
        var documents = app.MapGroup("/api/documents").WithTags("Documents");
        documents.MapGet("", Search)
            .WithName("SearchDocuments")
            .WithSummary("Documents, newest first; q matches text and fields regardless of case and diacritics; filters office, status, type, from, to; paged.");
        documents.MapGet("/{id}", GetDocument)
            .WithName("GetDocument")
            .WithSummary("The document: status, error, pages, secrecy, fields, links.");
        documents.MapGet("/{id}/original", (string id, HttpContext http, [AsParameters] Services s, CancellationToken ct)
                => Content(id, d => d.Sha256, d => d.ContentType, "original", http, s, ct))
            .WithName("GetOriginal")
            .WithSummary("The file exactly as uploaded.");
        documents.MapGet("/{id}/archive", (string id, HttpContext http, [AsParameters] Services s, CancellationToken ct)
                => Content(id, d => d.ArchiveSha256, _ => "application/pdf", "archive", http, s, ct))
            .WithName("GetArchivePdf")
            .WithSummary("The searchable archive PDF: the original pages with an invisible text layer (PDF/A-2b).");
        documents.MapGet("/{id}/text", (string id, HttpContext http, [AsParameters] Services s, CancellationToken ct)
                => Content(id, d => d.TextSha256, _ => "text/plain; charset=utf-8", "text", http, s, ct))
            .WithName("GetText")
            .WithSummary("The text: UTF-8, NFC, pages separated by form feed.");
        documents.MapGet("/{id}/audit", GetAudit)
            .WithName("GetAuditTrail")
            .WithSummary("Everything that happened to the document, oldest first, hash-chained.");
        app.MapGet("/api/audit/verify", VerifyAudit)
            .WithTags("Documents")
            .WithName("VerifyAuditLog")
            .WithSummary("Checks the whole audit log's hash chain: intact, or the first entry that was changed or removed.");
        return app;
    }

    /// <summary>Services the read routes need.</summary>
    public sealed record Services(DocumentCatalog Catalog, IBlobStore Blobs);

    private static async Task<Results<Ok<DocumentResponse>, ProblemHttpResult>> GetDocument(string id, HttpRequest request, [AsParameters] Services services, CancellationToken ct)
        => await services.Catalog.GetAsync(id, ct) is { } document
            ? TypedResults.Ok(await ResponseAsync(document, request, services.Catalog, ct))
            : NotFound(id);

    /// <summary>The document as served, with its registry duplicates.</summary>
    public static async Task<DocumentResponse> ResponseAsync(DocumentRecord document, HttpRequest request, DocumentCatalog catalog, CancellationToken ct)
    {
        var duplicates = document.RegistryKey is null ? [] : await catalog.FindSameRegistryKeyAsync(document.Office, document.RegistryKey, document.Id, ct);
        return DocumentResponse.From(document, request, duplicates);
    }

    private static async Task<Results<Ok<IReadOnlyList<StoredAuditEntry>>, ProblemHttpResult>> GetAudit(string id, [AsParameters] Services services, CancellationToken ct)
        => await services.Catalog.GetAsync(id, ct) is null
            ? NotFound(id)
            : TypedResults.Ok(await services.Catalog.Audit.ForDocumentAsync(id, ct));

    private static async Task<Ok<AuditVerification>> VerifyAudit([AsParameters] Services services, CancellationToken ct)
    {
        var broken = await services.Catalog.Audit.VerifyAsync(ct);
        return TypedResults.Ok(new AuditVerification(broken is null, broken));
    }

    private static async Task<IResult> Content(string id, Func<DocumentRecord, string?> address, Func<DocumentRecord, string> contentType, string what,
        HttpContext http, Services services, CancellationToken ct)
    {
        var document = await services.Catalog.GetAsync(id, ct);
        if (document is null) return NotFound(id);
        if (address(document) is not { } sha256)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"The {what} of document '{id}' is not ready",
                detail: $"The document is {document.Status}. The {what} is there once it is Digitised or NeedsReview; watch its status.");
        var stream = await services.Blobs.OpenReadAsync(sha256, ct);
        if (stream is null) throw new InvalidOperationException($"Blob {sha256} ({what} of {id}) is missing from the blob store.");
        await services.Catalog.Audit.AppendAsync(id, new AuditEntry($"opened-{what}", AuditActors.Of(http)), ct);
        var extension = what switch { "text" => ".txt", "archive" => ".pdf", _ => Path.GetExtension(document.FileName) };
        var name = what == "original" ? document.FileName : Path.GetFileNameWithoutExtension(document.FileName) + (what == "archive" ? ".archive" : "") + extension;
        http.Response.Headers.ContentDisposition = $"inline; filename*=UTF-8''{Uri.EscapeDataString(name)}";
        http.Response.Headers.CacheControl = "private, no-store";
        return TypedResults.Stream(stream, contentType(document), enableRangeProcessing: true);
    }

    private static async Task<Results<Ok<DocumentListResponse>, ProblemHttpResult>> Search(HttpRequest request, [AsParameters] Services services, CancellationToken ct)
    {
        var q = request.Query;
        DocumentStatus? status = null;
        if (q["status"].ToString() is { Length: > 0 } s)
        {
            if (!Enum.TryParse<DocumentStatus>(s, ignoreCase: true, out var parsed) || int.TryParse(s, out _))
                return ApiProblems.InvalidInput($"\"{s}\" is not a document status", $"Use one of: {string.Join(", ", Enum.GetNames<DocumentStatus>())}.");
            status = parsed;
        }
        if (!TryDate(q["from"], out var from)) return ApiProblems.InvalidInput($"\"{q["from"]}\" is not a date", "Write dates as yyyy-MM-dd, e.g. 2025-03-05.");
        if (!TryDate(q["to"], out var to)) return ApiProblems.InvalidInput($"\"{q["to"]}\" is not a date", "Write dates as yyyy-MM-dd, e.g. 2025-03-05.");
        if (!TryPositive(q["page"], 1, int.MaxValue, out var page)) return ApiProblems.InvalidInput($"\"{q["page"]}\" is not a page number", "Pages are numbered from 1.");
        if (!TryPositive(q["pageSize"], DefaultPageSize, MaxPageSize, out var pageSize))
            return ApiProblems.InvalidInput($"\"{q["pageSize"]}\" is not a page size", $"Use 1 to {MaxPageSize}.");

        var query = new DocumentQuery(NullIfEmpty(q["q"]), NullIfEmpty(q["office"]), status, NullIfEmpty(q["type"]), from, to, page, pageSize);
        var (documents, total) = await services.Catalog.SearchAsync(query, ct);
        string? next = null;
        if ((long)page * pageSize < total)
        {
            var parameters = q.ToDictionary(p => p.Key, p => (string?)p.Value.ToString());
            parameters["page"] = (page + 1).ToString(CultureInfo.InvariantCulture);
            next = QueryHelpers.AddQueryString($"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}", parameters);
        }
        return TypedResults.Ok(new DocumentListResponse([.. documents.Select(DocumentSummary.From)], page, pageSize, total, next));
    }

    /// <summary>404: no such document.</summary>
    public static ProblemHttpResult NotFound(string id) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: $"No document '{id}'", detail: "Check the document id; search with GET /api/documents?q=…");

    private static bool TryDate(string? value, out DateOnly? date)
    {
        date = null;
        if (string.IsNullOrEmpty(value)) return true;
        if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return false;
        date = d;
        return true;
    }

    private static bool TryPositive(string? value, int fallback, int max, out int result)
    {
        result = fallback;
        if (string.IsNullOrEmpty(value)) return true;
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result) && result >= 1 && result <= max;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
