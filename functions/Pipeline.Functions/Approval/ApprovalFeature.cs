using Pipeline.Functions.Hosting;
using Pipeline.Functions.Mail;

namespace Pipeline.Functions.Approval;

/// <summary>
/// Approvals in the app: mail (outbox or SMTP), the store, the office directory and named routes, and
/// what the approval functions need (<see cref="ApprovalsFunctions"/>, <see cref="ApprovalDirectoryFunctions"/>,
/// <see cref="ApprovalLinkFunctions"/>, <see cref="ApprovalWorkflow"/> and its activities, <see cref="ApprovalRecovery"/>).
/// The functions themselves are found by the worker's indexing; nothing is registered with an engine here.
/// </summary>
public static class ApprovalFeature
{
    /// <summary>Registers the services (needs <see cref="Links.LinksFeature.AddMailedLinks"/>: link key, address, limits).</summary>
    public static IServiceCollection AddApprovals(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(sp => sp.GetRequiredService<PipelineHostOptions>().Approvals);
        services.AddMail(configuration, sp => sp.GetRequiredService<DataDirectory>().Path);
        services.AddSingleton<ApprovalStore>();
        services.AddSingleton<ApprovalMailing>();
        services.AddSingleton<ApprovalDecisions>();
        services.AddApprovalDirectory();
        return services;
    }
}
