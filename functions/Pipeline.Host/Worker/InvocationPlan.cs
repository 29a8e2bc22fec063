using Pipeline.Host.Worker.Rpc;

namespace Pipeline.Host.Worker;

/// <summary>
/// What to invoke, for <see cref="FunctionInvoker"/>. <paramref name="BeforeSend"/> runs after the invocation is
/// registered and before its request goes to the worker: HTTP starts forwarding there, as Microsoft's host does,
/// so the worker finds the request when the invocation arrives.
/// </summary>
/// <param name="FunctionName">The function.</param>
/// <param name="Inputs">Input data.</param>
/// <param name="TriggerMetadata">Trigger metadata.</param>
/// <param name="Generation">The worker to use; null for the current one.</param>
/// <param name="BeforeSend">Called with the invocation id and the worker, or null.</param>
internal sealed record InvocationPlan(
    string FunctionName,
    IEnumerable<ParameterBinding> Inputs,
    IReadOnlyDictionary<string, TypedData> TriggerMetadata,
    WorkerGeneration? Generation = null,
    Action<string, WorkerGeneration>? BeforeSend = null);
