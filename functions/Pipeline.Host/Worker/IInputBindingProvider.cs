using Pipeline.Host.Worker.Rpc;

namespace Pipeline.Host.Worker;

/// <summary>
/// Supplies the value of one input binding type (e.g. <c>durableClient</c> → a JSON string) for every invocation
/// of every function that declares such a binding, HTTP functions included. Register with
/// <see cref="WorkerServiceCollectionExtensions.AddInputBindingProvider{TProvider}"/>; one provider per type.
/// </summary>
public interface IInputBindingProvider
{
    /// <summary>The binding type served, as it appears in the function's metadata (case-insensitive), e.g. <c>durableClient</c>.</summary>
    string BindingType { get; }

    /// <summary>The value for <paramref name="binding"/> of <paramref name="function"/> in one invocation.</summary>
    ValueTask<TypedData> BindAsync(LoadedFunction function, FunctionBinding binding, CancellationToken cancellationToken);
}
