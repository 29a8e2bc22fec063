using Pipeline.Functions.Archive;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Extraction;
using Pipeline.Functions.Hosting;
using Pipeline.Functions.Intake;
using Pipeline.Functions.Storage;

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
        services.AddSingleton(sp => new CatalogDatabase(Path.Combine(sp.GetRequiredService<DataDirectory>().Path, "documents.db")));
        services.AddSingleton<AuditLog>();
        services.AddSingleton<DocumentCatalog>();
        services.AddSingleton<DossierCatalog>();
        services.AddSingleton<IBlobStore>(sp => new LocalFileBlobStore(Path.Combine(sp.GetRequiredService<DataDirectory>().Path, "blobs")));
        services.AddSingleton(sp => sp.GetRequiredService<PipelineHostOptions>().Digitise);
        services.AddSingleton(sp => sp.GetRequiredService<PipelineHostOptions>().Extraction);
        services.AddSingleton<IOcrEngine>(sp => new TesseractOcrEngine(maxParallel: sp.GetRequiredService<DigitiseOptions>().EffectiveParallelPages));
        services.AddSingleton(sp => new OcrEngineSelection(sp.GetServices<IOcrEngine>()));
        services.AddSingleton<PageSlots>();
        return services;
    }

    /// <summary>
    /// Maps the document routes that are not functions yet (Documents, page images, archive: converted with the app's
    /// core). Upload (<see cref="IntakeFunctions"/>) and field review (<see cref="FieldReviewFunctions"/>) are functions.
    /// </summary>
    public static IEndpointRouteBuilder MapDigitise(this IEndpointRouteBuilder app)
    {
        app.MapDocumentsApi();
        app.MapPageImageApi();
        app.MapArchiveApi();
        return app;
    }
}
