using Pipeline.Functions.Archive;
using Pipeline.Functions.Extraction;
using Pipeline.Functions.Hosting;
using Pipeline.Functions.Storage;

namespace Pipeline.Functions.Documents;

/// <summary>
/// The documents every feature shares: the catalog (SQLite <c>&lt;data&gt;/documents.db</c>) with its hash-chained audit
/// log, dossiers, and the blob store (<c>&lt;data&gt;/blobs</c>). Their HTTP functions are <see cref="DocumentsFunctions"/>,
/// <see cref="PageImageFunctions"/> and <see cref="ArchiveFunctions"/>.
/// </summary>
public static class DocumentsFeature
{
    /// <summary>Registers the catalog, audit log, dossiers, blob store and the extraction options the archive record reads.</summary>
    public static IServiceCollection AddDocuments(this IServiceCollection services)
    {
        services.AddSingleton(sp => new CatalogDatabase(Path.Combine(sp.GetRequiredService<DataDirectory>().Path, "documents.db")));
        services.AddSingleton<AuditLog>();
        services.AddSingleton<DocumentCatalog>();
        services.AddSingleton<DossierCatalog>();
        services.AddSingleton<IBlobStore>(sp => new LocalFileBlobStore(Path.Combine(sp.GetRequiredService<DataDirectory>().Path, "blobs")));
        services.AddSingleton(sp => sp.GetRequiredService<PipelineHostOptions>().Extraction);
        return services;
    }
}
