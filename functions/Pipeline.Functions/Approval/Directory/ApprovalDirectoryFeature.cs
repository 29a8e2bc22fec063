using Pipeline.Functions.Hosting;

namespace Pipeline.Functions.Approval;

/// <summary>The office directory and the named route catalog, both kept as JSON files in the data directory.</summary>
public static class ApprovalDirectoryFeature
{
    /// <summary>
    /// Registers <see cref="OfficeDirectory"/> (<c>&lt;data&gt;/directory.json</c>) and <see cref="RouteCatalog"/>
    /// (<c>&lt;data&gt;/routes.json</c>) as singletons: each keeps the one in-memory copy its writes are serialised on.
    /// </summary>
    public static IServiceCollection AddApprovalDirectory(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(sp => new OfficeDirectory(sp.GetRequiredService<DataDirectory>().Path));
        services.AddSingleton(sp => new RouteCatalog(sp.GetRequiredService<DataDirectory>().Path));
        services.AddHostedService<ApprovalDirectoryCheck>();
        return services;
    }
}
