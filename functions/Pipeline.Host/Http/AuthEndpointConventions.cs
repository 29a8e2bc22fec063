namespace Pipeline.Host.Http;

/// <summary>Endpoint conventions for the host's keys.</summary>
public static class AuthEndpointConventions
{
    /// <summary>
    /// Sets the key the endpoint needs on the public listeners (header <c>x-functions-key</c> or query <c>code</c>).
    /// Without this an endpoint needs the master key.
    /// </summary>
    public static TBuilder RequireAuthLevel<TBuilder>(this TBuilder builder, AuthLevel level) where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new RequiredAuthLevel(level));
}
