namespace Pipeline.Host.Hosting;

/// <summary>
/// The host's keys, as Azure Functions has them but kept in owner-only files under the data directory:
/// <list type="bullet">
/// <item><see cref="Master"/> (<c>&lt;data&gt;/admin.key</c>): the master key. It passes every auth level,
/// <c>admin</c> included, and is the only key that passes <c>admin</c>.</item>
/// <item><see cref="DefaultFunction"/> (<c>&lt;data&gt;/function.key</c>): the <c>default</c> host function key.
/// It passes <c>function</c> (and <c>anonymous</c>) functions, never <c>admin</c> ones. Hand it to integrations that
/// call functions but must not administer the host.</item>
/// </list>
/// Both are created on first start; delete a file and restart to rotate that key.
/// </summary>
/// <param name="Master">The master key.</param>
/// <param name="DefaultFunction">The default host function key.</param>
public sealed record HostKeys(HostKey Master, HostKey DefaultFunction)
{
    /// <summary>Loads both keys from <paramref name="data"/>, creating the missing ones.</summary>
    public static HostKeys LoadOrCreate(DataDirectory data) => new(
        HostKey.LoadOrCreate("master", data.AdminKeyFile),
        HostKey.LoadOrCreate("default", data.FunctionKeyFile));
}
