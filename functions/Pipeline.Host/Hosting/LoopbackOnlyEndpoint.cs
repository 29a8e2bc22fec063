namespace Pipeline.Host.Hosting;

/// <summary>Endpoint metadata: served on the loopback gRPC endpoint only.</summary>
public sealed class LoopbackOnlyEndpoint
{
    /// <summary>The single instance.</summary>
    public static readonly LoopbackOnlyEndpoint Instance = new();

    private LoopbackOnlyEndpoint()
    {
    }
}
