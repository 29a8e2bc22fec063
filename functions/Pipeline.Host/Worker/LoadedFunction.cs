namespace Pipeline.Host.Worker;

/// <summary>
/// A function the worker indexed and loaded: what the host knows of it. The same function keeps its name across
/// worker restarts; <see cref="FunctionId"/> is the current worker's id for it.
/// </summary>
/// <param name="FunctionId">The worker's id for the function (used in InvocationRequest.function_id).</param>
/// <param name="Name">The function's name (<c>[Function("…")]</c>).</param>
/// <param name="EntryPoint">The method the worker runs, e.g. <c>MyApp.Hello.Run</c>.</param>
/// <param name="Bindings">Its bindings, trigger included, in the worker's order.</param>
public sealed record LoadedFunction(string FunctionId, string Name, string EntryPoint, IReadOnlyList<FunctionBinding> Bindings)
{
    /// <summary>The trigger binding, or null for a function without one (the worker reports none such today).</summary>
    public FunctionBinding? Trigger => Bindings.FirstOrDefault(b => b.IsTrigger && b.IsInput);

    /// <summary>The trigger's type (e.g. <c>httpTrigger</c>), or an empty string.</summary>
    public string TriggerType => Trigger?.Type ?? "";

    /// <summary>True when the function is triggered by <paramref name="triggerType"/> (case-insensitive).</summary>
    public bool IsTriggeredBy(string triggerType) => string.Equals(TriggerType, triggerType, StringComparison.OrdinalIgnoreCase);

    /// <summary>The non-trigger input bindings of <paramref name="type"/> (e.g. every <c>durableClient</c> parameter).</summary>
    public IEnumerable<FunctionBinding> InputBindingsOfType(string type)
        => Bindings.Where(b => b.IsInput && !b.IsTrigger && string.Equals(b.Type, type, StringComparison.OrdinalIgnoreCase));
}
