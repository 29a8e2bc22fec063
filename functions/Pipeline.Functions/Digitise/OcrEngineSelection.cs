using Pipeline.Functions.Documents;

namespace Pipeline.Functions.Digitise;

/// <summary>
/// Which OCR engine may read a document's pages. The rule that matters: a secret document (Mật, Tối mật,
/// Tuyệt mật) is only ever given to an engine that runs on this machine — never to a cloud service, whatever
/// is configured as preferred.
/// </summary>
public sealed class OcrEngineSelection(IEnumerable<IOcrEngine> engines, string? preferred = null)
{
    private readonly IReadOnlyList<IOcrEngine> _engines = [.. engines];

    /// <summary>
    /// The engine for a document of <paramref name="secrecy"/>: the preferred one when allowed, else the first local
    /// one. Throws <see cref="SecretDocumentPolicyException"/> when a secret document would have no local engine.
    /// </summary>
    public IOcrEngine For(SecrecyLevel secrecy)
    {
        var allowed = secrecy.IsSecret() ? _engines.Where(e => e.IsLocal).ToList() : _engines;
        var engine = allowed.FirstOrDefault(e => e.Name == preferred) ?? allowed.FirstOrDefault();
        return engine ?? throw new SecretDocumentPolicyException(
            secrecy.IsSecret()
                ? $"No OCR engine on this machine can read a {secrecy.ToApiName()} document, and secret documents are never sent to a cloud service."
                : "No OCR engine is configured.");
    }
}

/// <summary>Reading a document would break the secrecy rule; nothing was sent anywhere.</summary>
public sealed class SecretDocumentPolicyException(string message) : Exception(message);
