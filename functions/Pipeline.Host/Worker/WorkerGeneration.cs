namespace Pipeline.Host.Worker;

/// <summary>
/// A worker process that has loaded its functions and serves invocations. Each restart is a new generation with a
/// higher <see cref="Number"/>; function ids may differ between generations, names do not.
/// </summary>
/// <param name="Number">1 for the first worker, then one more per restart.</param>
/// <param name="ProcessId">The worker's process id.</param>
/// <param name="Functions">The functions it loaded, by name.</param>
/// <param name="HttpUri">The worker's own loopback HTTP listener (ASP.NET Core integration), or null.</param>
/// <param name="Capabilities">The capabilities it advertised in WorkerInitResponse.</param>
public sealed record WorkerGeneration(
    int Number,
    int ProcessId,
    IReadOnlyList<LoadedFunction> Functions,
    Uri? HttpUri,
    IReadOnlyDictionary<string, string> Capabilities)
{
    /// <summary>The function named <paramref name="name"/> (case-insensitive, as Azure treats function names), or null.</summary>
    public LoadedFunction? Find(string name) => Functions.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
}
