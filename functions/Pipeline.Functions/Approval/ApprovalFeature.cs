using Pipeline.Functions.Hosting;
using Pipeline.Functions.Mail;

namespace Pipeline.Functions.Approval;

/// <summary>
/// Approvals in the app: mail (outbox or SMTP), the link key, the store, the office directory and named routes, the
/// ApprovalWorkflow orchestration with its activities, the API and the decision pages.
/// </summary>
public static class ApprovalFeature
{
    /// <summary>Configuration key of a shared link key (environment <c>PIPELINE_APPROVALS__LINKKEY</c>, base64).</summary>
    public const string LinkKeySetting = "Approvals:LinkKey";

    /// <summary>Registers the services and the orchestration.</summary>
    public static IServiceCollection AddApprovals(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(sp => sp.GetRequiredService<PipelineHostOptions>().Approvals);
        services.AddMail(configuration, sp => sp.GetRequiredService<DataDirectory>().Path);
        services.AddSingleton(sp => ApprovalLinkKey.LoadOrCreate(configuration[LinkKeySetting], Path.Combine(sp.GetRequiredService<DataDirectory>().Path, "approval.key")));
        services.AddSingleton<ApprovalLinks>();
        services.AddSingleton<ApprovalAddress>();
        services.AddSingleton<ApprovalStore>();
        services.AddSingleton<ApprovalMailing>();
        services.AddSingleton<ApprovalDecisions>();
        services.AddApprovalDirectory();
        // appcore: the old ApprovalRecovery needs the old engine's client, which the app no longer has; it becomes a
        // timer-triggered function (CONVENTIONS.md).
        services.AddDurableTasks(registry => registry
            .AddOrchestrator<ApprovalWorkflow>()
            .AddActivity<OpenApprovalStep>()
            .AddActivity<RemindApprovers>()
            .AddActivity<EscalateApprovalStep>()
            .AddActivity<ExpireApprovalStep>()
            .AddActivity<FinishApproval>());
        return services;
    }

    /// <summary>Maps the API and the decision pages.</summary>
    public static IEndpointRouteBuilder MapApprovals(this IEndpointRouteBuilder app)
    {
        app.MapApprovalsApi();
        app.MapApprovalDirectoryApi();
        app.MapApprovalLinkPages();
        return app;
    }
}
