using System.Collections;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.DurableTask;

namespace Pipeline.Host.TestApp.Durable;

/// <summary>
/// Fails an orchestrator that awaits a task that is not durable, instead of leaving it Running for ever. Pipeline.Host
/// wakes an orchestration that sat idle with nothing durable outstanding once, with the event
/// <c>pipeline.nonDurableAwaitProbe</c> and the trigger metadata <c>pipelineNonDurableAwaitProbe</c>. In that episode
/// this middleware (it runs inside the orchestrator, after Microsoft's durable middleware) looks at what the
/// orchestrator is blocked on: still not finished, and not waiting for any external event, means it awaits something
/// no durable history can complete, and the orchestration fails with a message saying so. An orchestrator waiting
/// for an event is left alone (the probe is buffered as an unknown event). The event waits are read from
/// Microsoft.DurableTask's context (TaskOrchestrationContextWrapper.externalEventSources): a test pins that.
/// </summary>
public sealed class NonDurableAwaitGuard : IFunctionsWorkerMiddleware
{
    /// <summary>The trigger metadata the host sets on a probe episode.</summary>
    public const string ProbeKey = "pipelineNonDurableAwaitProbe";

    /// <inheritdoc/>
    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var trigger = context.FunctionDefinition.InputBindings.Values.FirstOrDefault(b => string.Equals(b.Type, "orchestrationTrigger", StringComparison.OrdinalIgnoreCase));
        if (trigger is null || !context.BindingContext.BindingData.ContainsKey(ProbeKey)) return next(context);

        var run = next(context);
        if (run.IsCompleted) return run;
        // Cached by the durable middleware: completes at once, no await (an orchestrator episode must stay synchronous).
        var binding = context.BindInputAsync<object>(trigger);
        var orchestration = binding.IsCompletedSuccessfully ? binding.Result?.Value as TaskOrchestrationContext : null;
        if (orchestration is null || WaitsForExternalEvent(orchestration)) return run;
        throw new InvalidOperationException(
            $"Orchestrator '{context.FunctionDefinition.Name}' awaited a task that is not durable (e.g. Task.Delay, I/O or a TaskCompletionSource), " +
            "so nothing could ever resume it. Await only tasks from the TaskOrchestrationContext (activities, timers, external events, sub-orchestrations).");
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
