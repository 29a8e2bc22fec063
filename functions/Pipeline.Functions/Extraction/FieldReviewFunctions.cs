using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Http;
using Pipeline.Functions.Storage;

namespace Pipeline.Functions.Extraction;

/// <summary>
/// <c>PATCH /api/documents/{id}/fields</c>: a reviewer corrects fields. Each corrected field is marked
/// <c>corrected: true</c> (confidence 1), the correction goes in the audit trail with who, when, and old → new, and a
/// document in NeedsReview whose key fields are now all confident or corrected becomes Digitised.
/// </summary>
public sealed class FieldReviewFunctions(DocumentCatalog catalog, IBlobStore blobs, ExtractionOptions options)
{
    /// <summary>Corrects fields (<c>{"summary":"…","date":"2025-03-05","recipients":[…]}</c>); a reviewed document leaves NeedsReview.</summary>
    [Function("CorrectFields")]
    public async Task<Results<Ok<DocumentResponse>, ProblemHttpResult>> CorrectFields(
        [HttpTrigger(AuthorizationLevel.Function, "patch", Route = "api/documents/{id}/fields")] HttpRequest request, string id)
    {
        var http = request.HttpContext;
        var ct = http.RequestAborted;
        JsonObject corrections;
        try
        {
            if (await JsonNode.ParseAsync(http.Request.Body, cancellationToken: ct) is not JsonObject o || o.Count == 0)
                return ApiProblems.InvalidInput("Send the corrections as a JSON object", "For example {\"summary\": \"Về công tác văn thư\", \"date\": \"2025-05-18\"}.");
            corrections = o;
        }
        catch (JsonException e)
        {
            return ApiProblems.InvalidJson(e);
        }

        var document = await catalog.GetAsync(id, ct);
        if (document is null) return DocumentsApi.NotFound(id);
        // Returned and Rejected (by an approver) documents are corrected before they are sent for approval again.
        var correctable = document.Status is DocumentStatus.NeedsReview or DocumentStatus.Digitised or DocumentStatus.Returned
            || (document.Status == DocumentStatus.Rejected && document.Error is null);
        if (!correctable || DocumentFields.Parse(document.FieldsJson) is not { } fields)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: $"The fields of document '{id}' cannot be corrected now",
                detail: $"The document is {document.Status}. Fields are corrected once it is digitised (NeedsReview or Digitised), or after an approver returned or rejected it; not while it is in approval or once approved.");

        var before = DocumentFields.Parse(document.FieldsJson)!;
        var problems = fields.Correct(corrections);
        if (problems.Count > 0) return ApiProblems.InvalidInput("Some corrections are not valid", string.Join(" ", problems));

        var reviewed = document.Status == DocumentStatus.NeedsReview && fields.DoubtfulKeyFields(options.ReviewThreshold).Count == 0;
        var changes = string.Join("; ", corrections.Select(c => $"{c.Key}: {Show(before, c.Key)} → {Show(fields, c.Key)}"));
        var text = await ReadTextAsync(document, blobs, ct);
        var printed = fields.PrintedSecrecy();
        var updated = await catalog.UpdateAsync(id, d => d with
            {
                FieldsJson = fields.ToJson(), DocType = fields.Value("type"), IssuedDate = fields.Value("date"), RegistryKey = fields.RegistryKey(),
                // A corrected stamp may raise the secrecy; lowering a level needs more than a field correction.
                Secrecy = printed > d.Secrecy ? printed : d.Secrecy,
                Status = reviewed ? DocumentStatus.Digitised : d.Status,
                ReviewReason = reviewed ? null : d.ReviewReason,
            },
            new AuditEntry("fields-corrected", AuditActors.Of(http), changes + (reviewed ? "; reviewed: NeedsReview → Digitised" : "")),
            DocumentSearchText.IndexContent(document.FileName, fields.AllValues(), text), ct);
        return TypedResults.Ok(await DocumentsApi.ResponseAsync(updated!, http.Request, catalog, ct));
    }

    private static string Show(DocumentFields fields, string name)
        => name == "recipients" ? $"[{string.Join(" | ", fields.ListValue(name))}]" : fields.Value(name) is { } v ? $"\"{v}\"" : "null";

    private static async Task<string> ReadTextAsync(DocumentRecord document, IBlobStore blobs, CancellationToken ct)
    {
        if (document.TextSha256 is null) return "";
        await using var stream = await blobs.OpenReadAsync(document.TextSha256, ct);
        if (stream is null) return "";
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(ct);
    }
}
