using Pipeline.Functions.Hosting;

namespace Pipeline.Functions.Links;

/// <summary>
/// What every page reached by a link in mail shares (approvals, meetings): the signing key and token format, the
/// public address links point at, the per-address limits and the page frame (<see cref="LinkPage"/>).
/// </summary>
public static class LinksFeature
{
    /// <summary>Configuration key of a shared link key (environment <c>PIPELINE_APPROVALS__LINKKEY</c>, base64).</summary>
    public const string LinkKeySetting = "Approvals:LinkKey";

    /// <summary>Registers the services.</summary>
    public static IServiceCollection AddMailedLinks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(sp =>
        {
            var approvals = sp.GetRequiredService<PipelineHostOptions>().Approvals;
            return new MailedLinkOptions(approvals.PublicBaseUrl, approvals.MaxLinkRequestsPerMinute, approvals.MaxFailedLinksPerMinute);
        });
        // The file keeps its first name, so links mailed before meetings shared the key keep working.
        services.AddSingleton(sp => LinkKey.LoadOrCreate(configuration[LinkKeySetting], Path.Combine(sp.GetRequiredService<DataDirectory>().Path, "approval.key")));
        services.AddSingleton<SignedLinks>();
        services.AddSingleton(sp => new PublicAddress(sp.GetRequiredService<MailedLinkOptions>().PublicBaseUrl, sp.GetRequiredService<DataDirectory>().Path));
        services.AddSingleton<LinkLimiters>();
        return services;
    }
}
