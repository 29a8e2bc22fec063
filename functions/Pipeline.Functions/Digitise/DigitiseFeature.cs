using Pipeline.Functions.Hosting;

namespace Pipeline.Functions.Digitise;

/// <summary>
/// Intake and digitisation in the app: the document catalog and blob store under the data directory, the OCR
/// engine and what the DigitiseDocument orchestration's activities need. The orchestration, its activities, the
/// upload and field review routes and the intake recovery timer are functions (found by the worker's indexing).
/// </summary>
public static class DigitiseFeature
{
    /// <summary>Registers the services.</summary>
    public static IServiceCollection AddDigitise(this IServiceCollection services)
    {
        // The catalog, audit log, dossiers, blob store and ExtractionOptions: Documents/DocumentsFeature.AddDocuments (appcore).
        services.AddSingleton(sp => sp.GetRequiredService<PipelineHostOptions>().Digitise);
        services.AddSingleton<IOcrEngine>(sp => new TesseractOcrEngine(maxParallel: sp.GetRequiredService<DigitiseOptions>().EffectiveParallelPages));
        services.AddSingleton(sp => new OcrEngineSelection(sp.GetServices<IOcrEngine>()));
        services.AddSingleton<PageSlots>();
        return services;
    }
}
