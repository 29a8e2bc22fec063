using Pipeline.Functions.Archive;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Extraction;
using Pipeline.Functions.Hosting;
using Pipeline.Functions.Intake;
using Pipeline.Functions.Storage;

namespace Pipeline.Functions.Digitise;

/// <summary>
/// Intake and digitisation in the app: the document catalog and blob store under the data directory, the OCR
/// engine, the DigitiseDocument orchestration with its activities, and the routes.
/// </summary>
public static class DigitiseFeature
{
    /// <summary>Registers the services and the orchestration.</summary>
    public static IServiceCollection AddDigitise(this IServiceCollection services)
    {
        // The catalog, audit log, dossiers, blob store and ExtractionOptions: Documents/DocumentsFeature.AddDocuments (appcore).
        services.AddSingleton(sp => sp.GetRequiredService<PipelineHostOptions>().Digitise);
        services.AddSingleton<IOcrEngine>(sp => new TesseractOcrEngine(maxParallel: sp.GetRequiredService<DigitiseOptions>().EffectiveParallelPages));
        services.AddSingleton(sp => new OcrEngineSelection(sp.GetServices<IOcrEngine>()));
        services.AddSingleton<PageSlots>();
        // appcore: the old IntakeRecovery needs the old engine's client, which the app no longer has; it becomes a
        // timer-triggered function (CONVENTIONS.md).
        services.AddDurableTasks(registry => registry
            .AddOrchestrator<DigitiseDocument>()
            .AddActivity<PrepareDocument>()
            .AddActivity<ReadPage>()
            .AddActivity<ExtractFields>()
            .AddActivity<AssembleArchive>()
            .AddActivity<RecordFailure>());
        return services;
    }

    /// <summary>Maps the upload and document routes.</summary>
    public static IEndpointRouteBuilder MapDigitise(this IEndpointRouteBuilder app)
    {
        app.MapIntakeApi();
        app.MapFieldReviewApi();
        return app;
    }
}
