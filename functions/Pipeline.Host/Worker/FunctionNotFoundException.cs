namespace Pipeline.Host.Worker;

/// <summary>The ready worker has no (successfully loaded) function of that name.</summary>
public sealed class FunctionNotFoundException(string functionName)
    : Exception($"The worker has no function named '{functionName}' (or it failed to load: see the log).")
{
    /// <summary>The name asked for.</summary>
    public string FunctionName { get; } = functionName;
}
