using Pipeline.Host.Worker.Rpc;

namespace Pipeline.Host.Worker;

/// <summary>
/// Invokes a function of the ready worker by name: the extension point for triggers other than HTTP (the durable
/// bridge). Every input binding the function declares for which an <see cref="IInputBindingProvider"/> is registered
/// is filled in; host.json's <c>functionTimeout</c> is enforced.
/// </summary>
public interface IFunctionInvoker
{
    /// <summary>
    /// Sends one InvocationRequest and returns the worker's InvocationResponse, whatever its result: a function that
    /// threw comes back as a response with <c>Result.Status = Failure</c>.
    /// </summary>
    /// <param name="functionName">The function (case-insensitive).</param>
    /// <param name="inputs">The input data, normally the trigger's binding (e.g. <c>TypedData.String</c> for an orchestration trigger).</param>
    /// <param name="triggerMetadata">The trigger metadata (binding data); may be empty.</param>
    /// <param name="cancellationToken">Cancels the invocation: InvocationCancel is sent to the worker and the call throws <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="WorkerUnavailableException">No worker is ready (fails at once, never waits), the host is stopping, or the worker stopped while running it. Safe to retry later.</exception>
    /// <exception cref="FunctionNotFoundException">The ready worker has no such function.</exception>
    /// <exception cref="FunctionTimeoutException">It ran longer than <c>functionTimeout</c>; the worker was told to cancel it (and is restarted if it does not give it back).</exception>
    Task<InvocationResponse> InvokeAsync(string functionName, IEnumerable<ParameterBinding> inputs, IReadOnlyDictionary<string, TypedData> triggerMetadata, CancellationToken cancellationToken);
}
