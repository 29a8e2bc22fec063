using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Extraction;
using Pipeline.Functions.Http;
using Pipeline.Functions.Intake;

namespace Pipeline.Functions.Archive;

/// <summary>
/// The archive view: a document's Decree 30 annex VI record (<c>GET /api/documents/{id}/metadata</c>) and dossiers
/// (hồ sơ): create one, file documents in it, read its record (title, retention, counts, date range, documents).
/// </summary>
public sealed partial class ArchiveFunctions(DocumentCatalog documents, DossierCatalog dossiers, ExtractionOptions extraction, TimeProvider clock)
{
    /// <summary>A dossier's record.</summary>
    public sealed record DossierRecord(string Id, string Office, string Title, string? Retention, string? Access, string Creator, DateTime CreatedTime,
        int DocumentCount, int PageCount, string? StartDate, string? EndDate, IReadOnlyList<DossierEntry> Documents);

    /// <summary>A document in a dossier.</summary>
    public sealed record DossierEntry(int Ordinal, string DocumentId, string? Type, string? Code, string? Date, string? Summary, int? Pages, string Status);

    /// <summary>Body of <c>POST /api/dossiers</c>.</summary>
    public sealed record NewDossier(string? Id, string? Title, string? Retention, string? Access, string? Office);

    /// <summary>Body of <c>POST /api/dossiers/{id}/documents</c>.</summary>
    public sealed record FilingRequest(IReadOnlyList<string>? DocumentIds);

    /// <summary><c>GET /api/documents/{id}/metadata</c>: the document's archive record (Decree 30 annex VI): organ, file code, ordinal, type, number, notation, date, subject, signer…</summary>
    [Function("GetArchiveMetadata")]
    public async Task<IResult> GetMetadata([HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/documents/{id}/metadata")] HttpRequest request, string id)
    {
        var ct = request.HttpContext.RequestAborted;
        var document = await documents.GetAsync(id, ct);
        if (document is null) return DocumentsApi.NotFound(id);
        int? ordinal = null;
        if (document.Dossier is not null)
        {
            var members = await dossiers.DocumentsAsync(documents, document.Office, document.Dossier, ct);
            ordinal = members.Select((d, i) => (d.Id, i)).First(x => x.Id == id).i + 1;
        }
        return TypedResults.Ok(ArchiveMetadata.For(document, ordinal, extraction.ReviewThreshold));
    }

    /// <summary><c>POST /api/dossiers</c>: creates a dossier: <c>{"id":"HS-2025-01","title":"…","retention":"Vĩnh viễn","office"?}</c>.</summary>
    [Function("CreateDossier")]
    public async Task<IResult> CreateDossier([HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/dossiers")] HttpRequest request)
    {
        var ct = request.HttpContext.RequestAborted;
        NewDossier? body;
        try { body = await request.ReadFromJsonAsync<NewDossier>(ct); }
        catch (JsonException e) { return ApiProblems.InvalidJson(e); }
        if (body is null || string.IsNullOrWhiteSpace(body.Title)) return ApiProblems.InvalidInput("A dossier needs a title", "Send {\"title\": \"Hồ sơ …\", \"id\": \"HS-2025-01\", \"retention\": \"Vĩnh viễn\"}.");
        var office = string.IsNullOrWhiteSpace(body.Office) ? IntakeApi.DefaultOffice : body.Office.Trim();
        var id = string.IsNullOrWhiteSpace(body.Id)
            ? $"HS-{clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..6]}"
            : body.Id.Trim();
        if (!DossierId().IsMatch(id)) return ApiProblems.InvalidInput($"\"{id}\" is not a dossier id", "Use 1 to 64 letters, digits, '.', '_', '-' or '/'.");
        var (dossier, created) = await dossiers.CreateAsync(office, id, body.Title.Trim(), body.Retention?.Trim(), body.Access?.Trim(), AuditActors.Of(request.HttpContext), ct);
        if (!created) return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: $"Dossier '{id}' already exists", detail: "Use another id, or file documents in the existing dossier.");
        var record = await RecordAsync(dossier, ct);
        return TypedResults.Created($"/api/dossiers/{Uri.EscapeDataString(id)}?office={Uri.EscapeDataString(office)}", record);
    }

    /// <summary><c>GET /api/dossiers/{id}?office=</c>: the dossier's record: title, retention, document and page counts, date range, documents in order.</summary>
    [Function("GetDossier")]
    public async Task<IResult> GetDossier([HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/dossiers/{id}")] HttpRequest request, string id)
        => await dossiers.GetAsync(Office(request), id, request.HttpContext.RequestAborted) is { } dossier
            ? TypedResults.Ok(await RecordAsync(dossier, request.HttpContext.RequestAborted))
            : DossierNotFound(id);

    /// <summary><c>POST /api/dossiers/{id}/documents?office=</c>: files documents in the dossier: <c>{"documentIds":[…]}</c>.</summary>
    [Function("FileDocuments")]
    public async Task<IResult> FileDocuments([HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/dossiers/{id}/documents")] HttpRequest request, string id)
    {
        var http = request.HttpContext;
        var ct = http.RequestAborted;
        FilingRequest? body;
        try { body = await request.ReadFromJsonAsync<FilingRequest>(ct); }
        catch (JsonException e) { return ApiProblems.InvalidJson(e); }
        if (body?.DocumentIds is not { Count: > 0 } ids) return ApiProblems.InvalidInput("Name the documents to file", "Send {\"documentIds\": [\"…\"]}.");
        var dossier = await dossiers.GetAsync(Office(request), id, ct);
        if (dossier is null) return DossierNotFound(id);
        foreach (var documentId in ids)
        {
            var document = await documents.GetAsync(documentId, ct);
            if (document is null) return DocumentsApi.NotFound(documentId);
            if (document.Office != dossier.Office)
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: $"Document '{documentId}' belongs to another office", detail: "A dossier holds its own office's documents only.");
        }
        foreach (var documentId in ids)
            await documents.UpdateAsync(documentId, d => d with { Dossier = dossier.Id },
                new AuditEntry("filed", AuditActors.Of(http), $"in dossier {dossier.Id}"), ct: ct);
        return TypedResults.Ok(await RecordAsync(dossier, ct));
    }

    private static string Office(HttpRequest request)
        => request.Query["office"].ToString() is { Length: > 0 } office ? office : IntakeApi.DefaultOffice;

    private async Task<DossierRecord> RecordAsync(Dossier dossier, CancellationToken ct)
    {
        var members = await dossiers.DocumentsAsync(documents, dossier.Office, dossier.Id, ct);
        var dates = members.Select(d => d.IssuedDate).Where(d => d is not null).Order(StringComparer.Ordinal).ToList();
        var entries = members.Select((d, i) =>
        {
            var f = DocumentFields.Parse(d.FieldsJson);
            return new DossierEntry(i + 1, d.Id, f?.Value("type"), f?.Value("code"), f?.Value("date"), f?.Value("summary"), d.Pages, d.Status.ToString());
        }).ToList();
        return new DossierRecord(dossier.Id, dossier.Office, dossier.Title, dossier.Retention, dossier.Access, dossier.Creator, dossier.CreatedTime,
            members.Count, members.Sum(d => d.Pages ?? 0), dates.FirstOrDefault(), dates.LastOrDefault(), entries);
    }

    private static ProblemHttpResult DossierNotFound(string id) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: $"No dossier '{id}'", detail: "Create it with POST /api/dossiers, or check the id and office.");

    [GeneratedRegex("^[A-Za-z0-9._/-]{1,64}$")]
    private static partial Regex DossierId();
}
