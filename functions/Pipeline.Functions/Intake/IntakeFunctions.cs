using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Net.Http.Headers;
using Pipeline.Functions.Archive;
using Pipeline.Functions.Digitise;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Hosting;
using Pipeline.Functions.Storage;

namespace Pipeline.Functions.Intake;

/// <summary>Names the upload API shares with the rest of the app.</summary>
public static class IntakeApi
{
    /// <summary>The office of uploads that name none (the admin key's office).</summary>
    public const string DefaultOffice = "default";

    /// <summary>Header making a retried upload return the first answer instead of uploading again.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>
    /// Where to watch an orchestration instance: the Durable Functions status route the host serves
    /// (<c>/runtime/webhooks/durabletask/instances/{id}</c>), on the address the request came to.
    /// </summary>
    public static string StatusQueryGetUri(HttpRequest request, string instanceId)
        => $"{request.Scheme}://{request.Host}{request.PathBase}/runtime/webhooks/durabletask/instances/{Uri.EscapeDataString(instanceId)}";
}

/// <summary>
/// <c>POST /api/documents</c>: scans in, originals stored as uploaded, one DigitiseDocument orchestration per new
/// document. Files stream straight into the blob store (never whole in memory: the host forwards the body to the
/// worker's ASP.NET Core integration as a stream); each is checked by content before anything is recorded, and a
/// request with one bad file records nothing.
/// </summary>
public sealed partial class IntakeFunctions(DocumentCatalog catalog, DossierCatalog dossiers, IBlobStore blobs, PipelineHostOptions options)
{
    private const int MaxFieldLength = 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>
    /// Uploads scans (multipart: <c>file</c> parts; <c>office</c>, <c>dossier</c>, <c>secrecy</c>, <c>language</c> fields);
    /// starts digitising each new one. <c>202</c> with one entry per file, or a problem and nothing recorded.
    /// </summary>
    [Function("UploadDocuments")]
    public async Task<Results<ContentHttpResult, ProblemHttpResult>> Upload(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/documents")] HttpRequest request,
        [DurableClient] DurableTaskClient client)
    {
        var ct = request.HttpContext.RequestAborted;
        var limits = options.Intake;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 } boundary)
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Send the files as multipart/form-data",
                "Put each scan in a part named \"file\"; optional fields: office, dossier, secrecy, language.");

        var idempotencyKey = request.Headers[IntakeApi.IdempotencyKeyHeader].ToString();
        if (idempotencyKey.Length > 200) return Problem(StatusCodes.Status400BadRequest, "The Idempotency-Key header is too long", "Use at most 200 characters, e.g. a UUID.");

        // Each file is limited on its own; the request as a whole is bounded by the number of files.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize) bodySize.MaxRequestBodySize = null;

        var form = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var files = new List<(string FileName, StoredBlob Blob)>();
        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = null };
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
                var fileName = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                if (fileName is not null || disposition.IsFileDisposition())
                {
                    if (files.Count == limits.MaxFilesPerUpload)
                        return Problem(StatusCodes.Status413PayloadTooLarge, $"At most {limits.MaxFilesPerUpload} files can be uploaded at once", "Upload the rest in another request.");
                    var blob = await blobs.PutAsync(section.Body, limits.MaxFileBytes, ct);
                    files.Add((CleanFileName(fileName), blob));
                    continue;
                }
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                var value = await ReadFieldAsync(section.Body, ct);
                if (value is null) return Problem(StatusCodes.Status400BadRequest, $"The form field \"{name}\" is too long", $"Form fields take at most {MaxFieldLength} characters.");
                form[name] = value.Trim();
            }
        }
        catch (BlobTooLargeException e)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, $"A file is larger than the {DescribeSize(e.MaxBytes)} allowed",
                "Split the document into several files, or scan it at 300 dpi in greyscale.");
        }
        catch (IOException e) when (e is not BlobTooLargeException && !ct.IsCancellationRequested)
        {
            return Problem(StatusCodes.Status400BadRequest, "The upload was cut off or is not valid multipart/form-data", "Send the files again.");
        }
        catch (InvalidDataException)
        {
            return Problem(StatusCodes.Status400BadRequest, "The upload is not valid multipart/form-data", "Send the files again.");
        }

        if (files.Count == 0) return Problem(StatusCodes.Status400BadRequest, "No file was uploaded", "Add at least one part named \"file\" holding a scan.");
        var office = form.GetValueOrDefault("office") is { Length: > 0 } o ? o : IntakeApi.DefaultOffice;
        if (!OfficeName().IsMatch(office)) return Problem(StatusCodes.Status400BadRequest, $"\"{office}\" is not an office id", "Office ids are 1 to 64 letters, digits, '.', '_' or '-'.");
        if (!SecrecyLevels.TryParse(form.GetValueOrDefault("secrecy"), out var secrecy))
            return Problem(StatusCodes.Status400BadRequest, $"\"{form["secrecy"]}\" is not a secrecy level", $"Use one of: {string.Join(", ", SecrecyLevels.Names)}.");
        var languages = form.GetValueOrDefault("language") is { Length: > 0 } l ? l : options.Digitise.Languages;
        if (!OcrLanguages.IsValid(languages))
            return Problem(StatusCodes.Status400BadRequest, $"\"{languages}\" is not a language list", "Use Tesseract language codes joined by '+', e.g. vie+eng or vie.");
        var dossier = form.GetValueOrDefault("dossier") is { Length: > 0 } d ? d : null;
        if (dossier is { Length: > 64 }) return Problem(StatusCodes.Status400BadRequest, "The dossier id is too long", "Dossier ids have at most 64 characters.");

        if (idempotencyKey.Length > 0 && await catalog.GetIdempotentResponseAsync(office, idempotencyKey, ct) is { } answered)
            return Answer(answered);

        var accepted = new List<(string FileName, StoredBlob Blob, UploadInspection Inspection)>();
        foreach (var (fileName, blob) in files)
        {
            using var local = await blobs.GetLocalFileAsync(blob.Sha256, ct) ?? throw new InvalidOperationException($"Blob {blob.Sha256} vanished after upload.");
            var inspection = await UploadInspector.InspectAsync(local.Path, fileName, limits, ct);
            if (inspection.Refusal is { } refusal)
                return Problem(refusal.Status, refusal.Title, refusal.Detail, refusal.Code, files.Count > 1 ? "Nothing from this upload was stored: fix or remove that file and upload again." : null);
            accepted.Add((fileName, blob, inspection));
        }

        var actor = AuditActors.Of(request.HttpContext);
        var now = catalog.UtcNow;
        var entries = new List<UploadedDocument>();
        var created = new List<(DocumentRecord Document, AuditEntry Entry)>();
        foreach (var (fileName, blob, inspection) in accepted)
        {
            var earlier = created.Select(c => c.Document).FirstOrDefault(c => c.Sha256 == blob.Sha256)
                ?? await catalog.FindByContentAsync(office, blob.Sha256, ct);
            if (earlier is not null)
            {
                entries.Add(new UploadedDocument(earlier.Id, earlier.InstanceId, IntakeApi.StatusQueryGetUri(request, earlier.InstanceId), earlier.Id));
                continue;
            }
            var id = Guid.CreateVersion7().ToString("N");
            var document = new DocumentRecord
            {
                Id = id, Office = office, Dossier = dossier, FileName = fileName, Sha256 = blob.Sha256,
                ContentType = inspection.Format.ContentType(), SizeBytes = blob.SizeBytes, Pages = inspection.Pages,
                Secrecy = secrecy, Languages = languages, InstanceId = DigitiseDocument.InstanceIdFor(id),
                CreatedTime = now, LastUpdatedTime = now,
            };
            created.Add((document, new AuditEntry("uploaded", actor,
                $"{fileName}: {blob.SizeBytes} bytes, {inspection.Format.ContentType()}, sha256 {blob.Sha256}, secrecy {secrecy.ToApiName()}")));
            entries.Add(new UploadedDocument(id, document.InstanceId, IntakeApi.StatusQueryGetUri(request, document.InstanceId), null));
        }

        // Filing into a dossier that does not exist yet opens it, titled by its id until someone names it.
        if (dossier is not null && created.Count > 0) await dossiers.CreateAsync(office, dossier, dossier, null, null, actor, ct);

        // Recorded first, then scheduled: a crash in between leaves documents Received, which IntakeRecovery schedules.
        await catalog.InsertAsync(created, ct);
        foreach (var (document, _) in created) await DigitiseDocument.ScheduleAsync(client, document.Id, ct);

        var body = JsonSerializer.Serialize(new UploadResponse(entries), Json);
        if (idempotencyKey.Length > 0) body = await catalog.SaveIdempotentResponseAsync(office, idempotencyKey, body, ct);
        return Answer(body);

        ContentHttpResult Answer(string json)
        {
            var first = JsonSerializer.Deserialize<UploadResponse>(json, Json)!.Documents[0];
            request.HttpContext.Response.Headers.Location = $"{request.Scheme}://{request.Host}{request.PathBase}/api/documents/{first.DocumentId}";
            return TypedResults.Content(json, "application/json; charset=utf-8", statusCode: StatusCodes.Status202Accepted);
        }
    }

    private static ProblemHttpResult Problem(int status, string title, string detail, string? code = null, string? note = null)
        => TypedResults.Problem(statusCode: status, title: title, detail: note is null ? detail : $"{detail} {note}",
            extensions: code is null ? null : new Dictionary<string, object?> { ["code"] = code });

    private static string DescribeSize(long bytes) => bytes >= 1024 * 1024
        ? $"{bytes / (1024.0 * 1024):0.#} MB".Replace(',', '.')
        : $"{bytes} bytes";

    private static async Task<string?> ReadFieldAsync(Stream body, CancellationToken ct)
    {
        using var reader = new StreamReader(body, System.Text.Encoding.UTF8);
        var buffer = new char[MaxFieldLength + 1];
        var read = await reader.ReadBlockAsync(buffer.AsMemory(), ct);
        return read > MaxFieldLength ? null : new string(buffer, 0, read);
    }

    // The name is shown to people and put in headers: no paths, no control characters, bounded.
    private static string CleanFileName(string? name)
    {
        var clean = Path.GetFileName((name ?? "").Replace('\\', '/'));
        clean = new string(clean.Where(c => !char.IsControl(c)).ToArray()).Trim();
        if (clean.Length > 200) clean = clean[..200];
        return clean.Length == 0 ? "scan" : VietnameseText.Normalize(clean);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex OfficeName();
}

/// <summary>The answer to an upload: one entry per file, in the order sent.</summary>
public sealed record UploadResponse(IReadOnlyList<UploadedDocument> Documents);

/// <summary>One uploaded file.</summary>
/// <param name="DocumentId">The document (an earlier one when the same bytes were uploaded before).</param>
/// <param name="InstanceId">Its DigitiseDocument orchestration.</param>
/// <param name="StatusQueryGetUri">Where to watch the orchestration.</param>
/// <param name="DuplicateOf">Set when these exact bytes were already uploaded: the earlier document, which is answered instead of a new one.</param>
public sealed record UploadedDocument(string DocumentId, string InstanceId, string StatusQueryGetUri, string? DuplicateOf);
