using Microsoft.AspNetCore.Http.HttpResults;

namespace Pipeline.Functions.Documents;

/// <summary>
/// What the document routes of every feature share (the routes themselves are <see cref="DocumentsFunctions"/>): the
/// 404 problem for an unknown document and the document as served.
/// </summary>
public static class DocumentsApi
{
    /// <summary>Largest page of a search.</summary>
    public const int MaxPageSize = 100;

    /// <summary>The document as served, with its registry duplicates.</summary>
    public static async Task<DocumentResponse> ResponseAsync(DocumentRecord document, HttpRequest request, DocumentCatalog catalog, CancellationToken ct)
    {
        var duplicates = document.RegistryKey is null ? [] : await catalog.FindSameRegistryKeyAsync(document.Office, document.RegistryKey, document.Id, ct);
        return DocumentResponse.From(document, request, duplicates);
    }

    /// <summary>404: no such document.</summary>
    public static ProblemHttpResult NotFound(string id) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: $"No document '{id}'", detail: "Check the document id; search with GET /api/documents?q=…");
}
