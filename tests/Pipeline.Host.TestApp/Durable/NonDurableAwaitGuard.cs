using System.Collections;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Google.Protobuf;
using Microsoft.DurableTask;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Host.TestApp.Durable;

/// <summary>
/// Fails an orchestrator that awaits a task that is not durable, instead of leaving it Running for ever. Pipeline.Host
/// wakes an orchestration that sat idle with nothing durable outstanding once, with the event
/// <c>pipeline.nonDurableAwaitProbe</c> and the trigger metadata <c>pipelineNonDurableAwaitProbe</c>. After that
/// episode ran, this middleware looks at what the orchestrator is blocked on: no new action, and no wait for any
/// external event, means it awaits something no durable history can complete, and the episode's response is
/// replaced by a failed completion saying so. An orchestrator waiting
/// for an event is left alone (the probe is buffered as an unknown event). The event waits are read from
/// Microsoft.DurableTask's context (TaskOrchestrationContextWrapper.externalEventSources): a test pins that.
/// </summary>
public sealed class NonDurableAwaitGuard : IFunctionsWorkerMiddleware
{
    /// <summary>The trigger metadata the host sets on a probe episode.</summary>
    public const string ProbeKey = "pipelineNonDurableAwaitProbe";

    /// <inheritdoc/>
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var trigger = context.FunctionDefinition.InputBindings.Values.FirstOrDefault(b => string.Equals(b.Type, "orchestrationTrigger", StringComparison.OrdinalIgnoreCase));
        if (trigger is null || !context.BindingContext.BindingData.ContainsKey(ProbeKey))
        {
            await next(context);
            return;
        }
        // Worker.Extensions.DurableTask 1.2x runs the whole episode (GrpcOrchestrationRunner) inside next: when it
        // returns, the invocation result is the encoded OrchestratorResponse and the orchestrator is blocked where it is.
        await next(context);
        var result = context.GetInvocationResult();
        if (result.Value is not string encoded || encoded.Length == 0) return;
        var response = P.OrchestratorResponse.Parser.ParseFrom(Convert.FromBase64String(encoded));
        if (response.Actions.Count > 0) return;
        var binding = await context.BindInputAsync<object>(trigger);
        var orchestration = binding?.Value as TaskOrchestrationContext
            ?? context.Items.Values.OfType<TaskOrchestrationContext>().FirstOrDefault();
        if (orchestration is null || WaitsForExternalEvent(orchestration)) return;
        var message = $"Orchestrator '{context.FunctionDefinition.Name}' awaited a task that is not durable (e.g. Task.Delay, I/O or a TaskCompletionSource), " +
            "so nothing could ever resume it. Await only tasks from the TaskOrchestrationContext (activities, timers, external events, sub-orchestrations).";
        response.Actions.Add(new P.OrchestratorAction
        {
            Id = -1,
            CompleteOrchestration = new P.CompleteOrchestrationAction
            {
                OrchestrationStatus = P.OrchestrationStatus.Failed,
                Result = message,
                FailureDetails = new P.TaskFailureDetails { ErrorType = "Pipeline.NonDurableAwait", ErrorMessage = message, IsNonRetriable = true },
            },
        });
        result.Value = Convert.ToBase64String(response.ToByteArray());
    }

    private static bool WaitsForExternalEvent(TaskOrchestrationContext context)
    {
        object? current = context;
        // FunctionsOrchestrationContext wraps TaskOrchestrationContextWrapper in "innerContext".
        for (var depth = 0; depth < 4 && current is not null; depth++)
        {
            var type = current.GetType();
            if (Field(type, "externalEventSources")?.GetValue(current) is ICollection sources) return sources.Count > 0;
            current = Field(type, "innerContext")?.GetValue(current);
        }
        return true; // Unknown shape: never fail an orchestration on a guess.
    }

    private static FieldInfo? Field(Type? type, string name)
    {
        for (; type is not null; type = type.BaseType)
        {
            var field = type.GetField(name, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
            if (field is not null) return field;
        }
        return null;
    }
}
