using Pipeline.Functions.Durable;
using Pipeline.Functions.Hosting;

namespace Pipeline.Functions.Diagnostics;

/// <summary>
/// The diagnostic orchestrations: engine smoke tests any client can start over HTTP
/// (<c>POST /api/orchestrators/diagnostics-chain</c> with <c>{"activities": 5}</c>).
/// </summary>
public static class DiagnosticsOrchestrations
{
    /// <summary>Registers <c>diagnostics-chain</c>, <c>diagnostics-fanout</c>, <c>diagnostics-step</c> and their input checks.</summary>
    public static IServiceCollection AddDiagnosticOrchestrations(this IServiceCollection services)
    {
        services.AddDurableTasks(registry => registry
            .AddOrchestrator<DiagnosticsChain>()
            .AddOrchestrator<DiagnosticsFanOut>()
            .AddActivity<DiagnosticsStep>());
        services.AddSingleton(new OrchestrationInputValidator(DiagnosticsChain.Name, body => DiagnosticsInput.Validate(body, DiagnosticsChain.MaxActivities)));
        services.AddSingleton(new OrchestrationInputValidator(DiagnosticsFanOut.Name, body => DiagnosticsInput.Validate(body, DiagnosticsFanOut.MaxActivities)));
        return services;
    }
}
