namespace Pipeline.Functions.Digitise;

/// <summary>How documents are digitised (host.json <c>pipeline.digitise</c>).</summary>
public sealed record DigitiseOptions
{
    /// <summary>Tesseract languages when the upload names none (<c>languages</c>). Default <c>vie+eng</c>.</summary>
    public string Languages { get; init; } = "vie+eng";

    /// <summary>
    /// Most pages read at once in this process (<c>maxParallelPages</c>); 0 means one per processor core. Each page is
    /// one single-threaded Tesseract process: more than the cores only makes every page slower and costs memory.
    /// </summary>
    public int MaxParallelPages { get; init; }

    /// <summary>Attempts per page before the document fails (<c>pageAttempts</c>).</summary>
    public int PageAttempts { get; init; } = 3;

    /// <summary>The page concurrency in effect.</summary>
    public int EffectiveParallelPages => MaxParallelPages > 0 ? MaxParallelPages : Environment.ProcessorCount;
}
