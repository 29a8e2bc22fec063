using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Azure.Functions.Worker;
using Pipeline.Functions.Http;
using Pipeline.Functions.Storage;

namespace Pipeline.Functions.Documents;

/// <summary>
/// Reading documents (API.md "Documents"): the record, search, the original as uploaded, the archive PDF, the text,
/// and the audit trail. Every read of a document's content is itself recorded in its audit trail (who, when, what).
/// </summary>
public sealed class DocumentsFunctions(DocumentCatalog catalog, IBlobStore blobs)
{
    /// <summary>Largest page of a search.</summary>
    public const int MaxPageSize = DocumentsApi.MaxPageSize;

    private const int DefaultPageSize = 20;

    /// <summary><c>GET /api/documents</c>: documents, newest first; q matches text and fields regardless of case and diacritics; filters office, status, type, from, to; paged.</summary>
    [Function("SearchDocuments")]
    public async Task<IResult> Search([HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/documents")] HttpRequest request)
    {
        var ct = request.HttpContext.RequestAborted;
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
        var (documents, total) = await catalog.SearchAsync(query, ct);
        string? next = null;
        if ((long)page * pageSize < total)
        {
            var parameters = q.ToDictionary(p => p.Key, p => (string?)p.Value.ToString());
            parameters["page"] = (page + 1).ToString(CultureInfo.InvariantCulture);
            next = QueryHelpers.AddQueryString($"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}", parameters);
        }
        return TypedResults.Ok(new DocumentListResponse([.. documents.Select(DocumentSummary.From)], page, pageSize, total, next));
    }

    /// <summary><c>GET /api/documents/{id}</c>: the document: status, error, pages, secrecy, fields, links.</summary>
    [Function("GetDocument")]
    public async Task<IResult> GetDocument([HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/documents/{id}")] HttpRequest request, string id)
    {
        var ct = request.HttpContext.RequestAborted;
        return await catalog.GetAsync(id, ct) is { } document
            ? TypedResults.Ok(await DocumentsApi.ResponseAsync(document, request, catalog, ct))
            : DocumentsApi.NotFound(id);
    }

    /// <summary><c>GET /api/documents/{id}/original</c>: the file exactly as uploaded.</summary>
    [Function("GetOriginal")]
    public Task<IResult> GetOriginal([HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/documents/{id}/original")] HttpRequest request, string id)
        => Content(id, d => d.Sha256, d => d.ContentType, "original", request.HttpContext);

    /// <summary><c>GET /api/documents/{id}/archive</c>: the searchable archive PDF: the original pages with an invisible text layer (PDF/A-2b).</summary>
    [Function("GetArchivePdf")]
    public Task<IResult> GetArchive([HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/documents/{id}/archive")] HttpRequest request, string id)
        => Content(id, d => d.ArchiveSha256, _ => "application/pdf", "archive", request.HttpContext);

    /// <summary><c>GET /api/documents/{id}/text</c>: the text: UTF-8, NFC, pages separated by form feed.</summary>
    [Function("GetText")]
    public Task<IResult> GetText([HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/documents/{id}/text")] HttpRequest request, string id)
        => Content(id, d => d.TextSha256, _ => "text/plain; charset=utf-8", "text", request.HttpContext);

    /// <summary><c>GET /api/documents/{id}/audit</c>: everything that happened to the document, oldest first, hash-chained.</summary>
    [Function("GetAuditTrail")]
    public async Task<IResult> GetAudit([HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/documents/{id}/audit")] HttpRequest request, string id)
    {
        var ct = request.HttpContext.RequestAborted;
        return await catalog.GetAsync(id, ct) is null
            ? DocumentsApi.NotFound(id)
            : TypedResults.Ok(await catalog.Audit.ForDocumentAsync(id, ct));
    }

    /// <summary><c>GET /api/audit/verify</c>: checks the whole audit log's hash chain: intact, or the first entry that was changed or removed.</summary>
    [Function("VerifyAuditLog")]
    public async Task<IResult> VerifyAudit([HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/audit/verify")] HttpRequest request)
    {
        var broken = await catalog.Audit.VerifyAsync(request.HttpContext.RequestAborted);
        return TypedResults.Ok(new AuditVerification(broken is null, broken));
    }

    private async Task<IResult> Content(string id, Func<DocumentRecord, string?> address, Func<DocumentRecord, string> contentType, string what, HttpContext http)
    {
        var ct = http.RequestAborted;
        var document = await catalog.GetAsync(id, ct);
        if (document is null) return DocumentsApi.NotFound(id);
        if (address(document) is not { } sha256)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"The {what} of document '{id}' is not ready",
                detail: $"The document is {document.Status}. The {what} is there once it is Digitised or NeedsReview; watch its status.");
        var stream = await blobs.OpenReadAsync(sha256, ct);
        if (stream is null) throw new InvalidOperationException($"Blob {sha256} ({what} of {id}) is missing from the blob store.");
        await catalog.Audit.AppendAsync(id, new AuditEntry($"opened-{what}", AuditActors.Of(http)), ct);
        var extension = what switch { "text" => ".txt", "archive" => ".pdf", _ => Path.GetExtension(document.FileName) };
        var name = what == "original" ? document.FileName : Path.GetFileNameWithoutExtension(document.FileName) + (what == "archive" ? ".archive" : "") + extension;
        http.Response.Headers.ContentDisposition = $"inline; filename*=UTF-8''{Uri.EscapeDataString(name)}";
        http.Response.Headers.CacheControl = "private, no-store";
        return TypedResults.Stream(stream, contentType(document), enableRangeProcessing: true);
    }

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
