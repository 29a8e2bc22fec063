namespace Pipeline.Host.Http;

/// <summary>
/// Endpoint metadata: the key an endpoint on the public listeners needs. An endpoint without it needs the master
/// key (secure by default): HTTP functions carry their <c>authLevel</c>; other endpoints opt in with
/// <see cref="AuthEndpointConventions.RequireAuthLevel{TBuilder}"/>.
/// </summary>
/// <param name="Level">The level.</param>
public sealed record RequiredAuthLevel(AuthLevel Level)
{
    /// <summary>
    /// Reads a function's <c>authLevel</c> (case-insensitive). Azure's <c>system</c> and <c>user</c> levels, which need
    /// keys or sign-in this host does not have, and unknown values map to <see cref="AuthLevel.Admin"/>: the strictest.
    /// </summary>
    public static AuthLevel Parse(string? authLevel) => authLevel?.Trim().ToLowerInvariant() switch
    {
        "anonymous" => AuthLevel.Anonymous,
        null or "" or "function" => AuthLevel.Function,
        _ => AuthLevel.Admin,
    };
}
