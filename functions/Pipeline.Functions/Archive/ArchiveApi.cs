using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Extraction;
using Pipeline.Functions.Http;
using Pipeline.Functions.Intake;

namespace Pipeline.Functions.Archive;

/// <summary>
/// The archive view: a document's Decree 30 annex VI record (<c>GET /api/documents/{id}/metadata</c>) and dossiers
/// (hồ sơ): create one, file documents in it, read its record (title, retention, counts, date range, documents).
/// </summary>
public static partial class ArchiveApi
{
    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapArchiveApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/documents/{id}/metadata", GetMetadata)
            .WithTags("Archive").WithName("GetArchiveMetadata")
            .WithSummary("The document's archive record (Decree 30 annex VI): organ, file code, ordinal, type, number, notation, date, subject, signer…");
        var dossiers = app.MapGroup("/api/dossiers").WithTags("Archive");
        dossiers.MapPost("", CreateDossier).WithName("CreateDossier")
            .WithSummary("Creates a dossier: {\"id\":\"HS-2025-01\",\"title\":\"…\",\"retention\":\"Vĩnh viễn\",\"office\"?}.");
        dossiers.MapGet("/{id}", GetDossier).WithName("GetDossier")
            .WithSummary("The dossier's record: title, retention, document and page counts, date range, documents in order.");
        dossiers.MapPost("/{id}/documents", FileDocuments).WithName("FileDocuments")
            .WithSummary("Files documents in the dossier: {\"documentIds\":[…]}.");
        return app;
    }

    /// <summary>Services the routes need.</summary>
    public sealed record Services(DocumentCatalog Documents, DossierCatalog Dossiers, ExtractionOptions Extraction);

    /// <summary>A dossier's record.</summary>
    public sealed record DossierRecord(string Id, string Office, string Title, string? Retention, string? Access, string Creator, DateTime CreatedTime,
        int DocumentCount, int PageCount, string? StartDate, string? EndDate, IReadOnlyList<DossierEntry> Documents);

    /// <summary>A document in a dossier.</summary>
    public sealed record DossierEntry(int Ordinal, string DocumentId, string? Type, string? Code, string? Date, string? Summary, int? Pages, string Status);

    /// <summary>Body of <c>POST /api/dossiers</c>.</summary>
    public sealed record NewDossier(string? Id, string? Title, string? Retention, string? Access, string? Office);

    /// <summary>Body of <c>POST /api/dossiers/{id}/documents</c>.</summary>
    public sealed record FilingRequest(IReadOnlyList<string>? DocumentIds);

    private static async Task<Results<Ok<ArchiveMetadata>, ProblemHttpResult>> GetMetadata(string id, [AsParameters] Services services, CancellationToken ct)
    {
        var document = await services.Documents.GetAsync(id, ct);
        if (document is null) return DocumentsApi.NotFound(id);
        int? ordinal = null;
        if (document.Dossier is not null)
        {
            var members = await services.Dossiers.DocumentsAsync(services.Documents, document.Office, document.Dossier, ct);
            ordinal = members.Select((d, i) => (d.Id, i)).First(x => x.Id == id).i + 1;
        }
        return TypedResults.Ok(ArchiveMetadata.For(document, ordinal, services.Extraction.ReviewThreshold));
    }

    private static async Task<Results<Created<DossierRecord>, Ok<DossierRecord>, ProblemHttpResult>> CreateDossier(HttpContext http, [AsParameters] Services services, CancellationToken ct)
    {
        NewDossier? body;
        try { body = await http.Request.ReadFromJsonAsync<NewDossier>(ct); }
        catch (JsonException e) { return ApiProblems.InvalidJson(e); }
        if (body is null || string.IsNullOrWhiteSpace(body.Title)) return ApiProblems.InvalidInput("A dossier needs a title", "Send {\"title\": \"Hồ sơ …\", \"id\": \"HS-2025-01\", \"retention\": \"Vĩnh viễn\"}.");
        var office = string.IsNullOrWhiteSpace(body.Office) ? IntakeApi.DefaultOffice : body.Office.Trim();
        var id = string.IsNullOrWhiteSpace(body.Id) ? $"HS-{DateTime.UtcNow:yyyyMMdd}-{Guid.NewGuid().ToString("N")[..6]}" : body.Id.Trim();
        if (!DossierId().IsMatch(id)) return ApiProblems.InvalidInput($"\"{id}\" is not a dossier id", "Use 1 to 64 letters, digits, '.', '_', '-' or '/'.");
        var (dossier, created) = await services.Dossiers.CreateAsync(office, id, body.Title.Trim(), body.Retention?.Trim(), body.Access?.Trim(), AuditActors.Of(http), ct);
        if (!created) return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: $"Dossier '{id}' already exists", detail: "Use another id, or file documents in the existing dossier.");
        var record = await RecordAsync(dossier, services, ct);
        return TypedResults.Created($"/api/dossiers/{Uri.EscapeDataString(id)}?office={Uri.EscapeDataString(office)}", record);
    }

    private static async Task<Results<Ok<DossierRecord>, ProblemHttpResult>> GetDossier(string id, string? office, [AsParameters] Services services, CancellationToken ct)
        => await services.Dossiers.GetAsync(office ?? IntakeApi.DefaultOffice, id, ct) is { } dossier
            ? TypedResults.Ok(await RecordAsync(dossier, services, ct))
            : DossierNotFound(id);

    private static async Task<Results<Ok<DossierRecord>, ProblemHttpResult>> FileDocuments(string id, string? office, HttpContext http, [AsParameters] Services services, CancellationToken ct)
    {
        FilingRequest? body;
        try { body = await http.Request.ReadFromJsonAsync<FilingRequest>(ct); }
        catch (JsonException e) { return ApiProblems.InvalidJson(e); }
        if (body?.DocumentIds is not { Count: > 0 } ids) return ApiProblems.InvalidInput("Name the documents to file", "Send {\"documentIds\": [\"…\"]}.");
        var dossier = await services.Dossiers.GetAsync(office ?? IntakeApi.DefaultOffice, id, ct);
        if (dossier is null) return DossierNotFound(id);
        foreach (var documentId in ids)
        {
            var document = await services.Documents.GetAsync(documentId, ct);
            if (document is null) return DocumentsApi.NotFound(documentId);
            if (document.Office != dossier.Office)
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: $"Document '{documentId}' belongs to another office", detail: "A dossier holds its own office's documents only.");
        }
        foreach (var documentId in ids)
            await services.Documents.UpdateAsync(documentId, d => d with { Dossier = dossier.Id },
                new AuditEntry("filed", AuditActors.Of(http), $"in dossier {dossier.Id}"), ct: ct);
        return TypedResults.Ok(await RecordAsync(dossier, services, ct));
    }

    private static async Task<DossierRecord> RecordAsync(Dossier dossier, Services services, CancellationToken ct)
    {
        var documents = await services.Dossiers.DocumentsAsync(services.Documents, dossier.Office, dossier.Id, ct);
        var dates = documents.Select(d => d.IssuedDate).Where(d => d is not null).Order(StringComparer.Ordinal).ToList();
        var entries = documents.Select((d, i) =>
        {
            var f = DocumentFields.Parse(d.FieldsJson);
            return new DossierEntry(i + 1, d.Id, f?.Value("type"), f?.Value("code"), f?.Value("date"), f?.Value("summary"), d.Pages, d.Status.ToString());
        }).ToList();
        return new DossierRecord(dossier.Id, dossier.Office, dossier.Title, dossier.Retention, dossier.Access, dossier.Creator, dossier.CreatedTime,
            documents.Count, documents.Sum(d => d.Pages ?? 0), dates.FirstOrDefault(), dates.LastOrDefault(), entries);
    }

    private static ProblemHttpResult DossierNotFound(string id) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: $"No dossier '{id}'", detail: "Create it with POST /api/dossiers, or check the id and office.");

    [GeneratedRegex("^[A-Za-z0-9._/-]{1,64}$")]
    private static partial Regex DossierId();
}
