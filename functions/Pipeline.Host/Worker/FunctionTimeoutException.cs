namespace Pipeline.Host.Worker;

/// <summary>An invocation ran longer than host.json's <c>functionTimeout</c>; it was cancelled in the worker and failed.</summary>
public sealed class FunctionTimeoutException(string functionName, string invocationId, TimeSpan timeout)
    : Exception($"Function '{functionName}' (invocation {invocationId}) ran longer than functionTimeout {timeout} and was cancelled.")
{
    /// <summary>The function.</summary>
    public string FunctionName { get; } = functionName;

    /// <summary>The invocation.</summary>
    public string InvocationId { get; } = invocationId;

    /// <summary>The timeout that was exceeded.</summary>
    public TimeSpan Timeout { get; } = timeout;
}
