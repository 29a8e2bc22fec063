using Pipeline.Functions.Documents;

namespace Pipeline.Functions.Digitise;

/// <summary>What <see cref="PrepareDocument"/> decided: the PDF to read from and how to read each page, or why not.</summary>
/// <param name="BaseSha256">The PDF the pages are read from (null when rejected).</param>
/// <param name="Pages">One plan per page.</param>
/// <param name="Languages">OCR languages.</param>
/// <param name="Secrecy">Secrecy level: decides which OCR engines may see the pages.</param>
/// <param name="PageAttempts">Attempts per page (<c>pageAttempts</c>).</param>
/// <param name="ParallelPages">Most pages of the document read at once (<c>maxParallelPages</c>, in effect where it was planned).</param>
/// <param name="Rejection">Why the document cannot be digitised, or null.</param>
public sealed record DocumentPlan(string? BaseSha256, IReadOnlyList<PagePlan> Pages, string Languages, SecrecyLevel Secrecy, int PageAttempts, int ParallelPages, DocumentError? Rejection);

/// <summary>How to read one page.</summary>
/// <param name="Number">Page number, from 1.</param>
/// <param name="Dpi">Resolution to rasterise at: the page's native scan resolution, lowered only to fit the pixel limit.</param>
/// <param name="HasText">True when the PDF already has text on this page: it is taken as is, not OCR'd again.</param>
public sealed record PagePlan(int Number, int Dpi, bool HasText);

/// <summary>Input of <see cref="ReadPage"/>.</summary>
public sealed record PageWork(string DocumentId, string BaseSha256, PagePlan Page, string Languages, SecrecyLevel Secrecy);

/// <summary>What reading one page produced (its words are in the catalog).</summary>
/// <param name="Number">Page number.</param>
/// <param name="TextLayerSha256">The invisible-text PDF page to lay over it, or null.</param>
/// <param name="EngineMilliseconds">Time inside the OCR engine.</param>
/// <param name="Words">Words read.</param>
/// <param name="Engine">The OCR engine that read it, or null when the page's own text layer was taken.</param>
public sealed record PageOutcome(int Number, string? TextLayerSha256, long EngineMilliseconds, int Words, string? Engine = null);

/// <summary>Input of <see cref="AssembleArchive"/>.</summary>
public sealed record AssembleWork(string DocumentId, string BaseSha256, IReadOnlyList<PageOutcome> Pages);

/// <summary>Input of <see cref="RecordFailure"/>.</summary>
public sealed record FailureRecord(string DocumentId, DocumentStatus Status, DocumentError Error);
