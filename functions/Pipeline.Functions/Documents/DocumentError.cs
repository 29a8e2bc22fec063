namespace Pipeline.Functions.Documents;

/// <summary>Why a document was rejected or failed: a stable code for systems, a message a clerk can act on.</summary>
/// <param name="Code">Stable, kebab-case (e.g. <c>pdf-encrypted</c>, <c>page-too-large</c>, <c>ocr-failed</c>).</param>
/// <param name="Message">What happened and what to do, in plain words.</param>
public sealed record DocumentError(string Code, string Message);
