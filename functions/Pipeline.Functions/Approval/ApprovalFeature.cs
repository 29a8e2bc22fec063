using Pipeline.Functions.Hosting;
using Pipeline.Functions.Mail;

namespace Pipeline.Functions.Approval;

/// <summary>
/// Approvals in the app: mail (outbox or SMTP), the link key, the store, the office directory and named routes, and
/// what the approval functions need (<see cref="ApprovalsFunctions"/>, <see cref="ApprovalDirectoryFunctions"/>,
/// <see cref="ApprovalLinkFunctions"/>, <see cref="ApprovalWorkflow"/> and its activities, <see cref="ApprovalRecovery"/>).
/// The functions themselves are found by the worker's indexing; nothing is registered with an engine here.
/// </summary>
public static class ApprovalFeature
{
    /// <summary>Configuration key of a shared link key (environment <c>PIPELINE_APPROVALS__LINKKEY</c>, base64).</summary>
    public const string LinkKeySetting = "Approvals:LinkKey";

    /// <summary>Registers the services.</summary>
    public static IServiceCollection AddApprovals(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(sp => sp.GetRequiredService<PipelineHostOptions>().Approvals);
        services.AddMail(configuration, sp => sp.GetRequiredService<DataDirectory>().Path);
        services.AddSingleton(sp => ApprovalLinkKey.LoadOrCreate(configuration[LinkKeySetting], Path.Combine(sp.GetRequiredService<DataDirectory>().Path, "approval.key")));
        services.AddSingleton<ApprovalLinks>();
        services.AddSingleton(sp => new ApprovalAddress(sp.GetRequiredService<ApprovalOptions>(), sp.GetRequiredService<DataDirectory>().Path));
        services.AddSingleton<ApprovalStore>();
        services.AddSingleton<ApprovalMailing>();
        services.AddSingleton<ApprovalDecisions>();
        services.AddSingleton<LinkLimiters>();
        services.AddApprovalDirectory();
        return services;
    }
}
