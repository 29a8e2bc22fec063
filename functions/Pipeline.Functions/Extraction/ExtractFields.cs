using Microsoft.Azure.Functions.Worker;
using Pipeline.Functions.Digitise;
using Pipeline.Functions.Documents;

namespace Pipeline.Functions.Extraction;

/// <summary>
/// Reads the official-document fields from the pages' words (<see cref="OfficialDocumentExtractor"/>), keeps any
/// reviewer corrections, raises the document's secrecy to a printed stamp's level first of all (never lowers a
/// declared one), and warns on a registry duplicate: the same number, symbol and issuing body as another document
/// of the office — recorded in both documents' trails.
/// </summary>
public sealed class ExtractFields(DocumentCatalog catalog, ExtractionOptions options)
{
    /// <summary>The function (activity) name.</summary>
    public const string Name = "digitise-extract";

    /// <summary>The activity.</summary>
    [Function(Name)]
    public async Task<ExtractionOutcome> Run([ActivityTrigger] string documentId, FunctionContext context)
    {
        var ct = context.CancellationToken;
        var document = await catalog.GetAsync(documentId, ct) ?? throw new InvalidOperationException($"Document {documentId} is not in the catalog.");
        var pages = (await catalog.GetPagesAsync(documentId, ct)).Select(p => p.ReadOcr()).ToList();
        var extracted = DocumentFields.From(OfficialDocumentExtractor.Extract(pages));
        var fields = DocumentFields.Parse(document.FieldsJson)?.MergeExtraction(extracted) ?? extracted;

        var printed = fields.PrintedSecrecy();
        if (printed > document.Secrecy)
        {
            document = await catalog.UpdateAsync(documentId, d => d with { Secrecy = printed > d.Secrecy ? printed : d.Secrecy },
                new AuditEntry("secrecy-raised", AuditEntry.System, $"{document.Secrecy.ToApiName()} → {printed.ToApiName()}: the scan carries the stamp {fields.Value("secrecy")}"), ct: ct)
                ?? document;
        }

        var doubtful = fields.DoubtfulKeyFields(options.ReviewThreshold);
        var registryKey = fields.RegistryKey();
        await catalog.UpdateAsync(documentId, d => d with
            {
                FieldsJson = fields.ToJson(), DocType = fields.Value("type"), IssuedDate = fields.Value("date"), RegistryKey = registryKey,
            },
            new AuditEntry("fields-extracted", AuditEntry.System,
                $"{fields.Value("type") ?? "type unknown"} {fields.Value("code") ?? "without code"} of {fields.Value("date") ?? "unknown date"}" +
                (doubtful.Count == 0 ? "; key fields confident" : $"; to check: {string.Join(", ", doubtful)}")), ct: ct);

        IReadOnlyList<string> duplicates = registryKey is null ? [] : await catalog.FindSameRegistryKeyAsync(document.Office, registryKey, documentId, ct);
        foreach (var other in duplicates)
        {
            var detail = $"{fields.Value("code")} of {fields.Value("issuer")?.Replace('\n', ' ')} is also document";
            await catalog.Audit.AppendAsync(documentId, new AuditEntry("duplicate-warning", AuditEntry.System, $"{detail} {other}"), ct);
            await catalog.Audit.AppendAsync(other, new AuditEntry("duplicate-warning", AuditEntry.System, $"{detail} {documentId}"), ct);
        }
        return new ExtractionOutcome(doubtful, document.Secrecy, duplicates);
    }
}

/// <summary>What extraction found.</summary>
/// <param name="DoubtfulKeyFields">Key fields below the review threshold.</param>
/// <param name="Secrecy">The document's secrecy after extraction.</param>
/// <param name="Duplicates">Other documents with the same number, symbol and issuing body.</param>
public sealed record ExtractionOutcome(IReadOnlyList<string> DoubtfulKeyFields, SecrecyLevel Secrecy, IReadOnlyList<string> Duplicates);
