namespace Pipeline.Host.Hosting;

/// <summary>
/// The host's public HTTP listeners: <c>--urls</c>, else <c>ASPNETCORE_URLS</c> / <c>DOTNET_URLS</c> (semicolon-separated),
/// as in any ASP.NET Core app; default <c>http://127.0.0.1:7071</c>. They become Kestrel configuration endpoints so
/// that Kestrel binds them next to the loopback gRPC endpoint added in code (Kestrel ignores plain URLs once any
/// endpoint is in code, with a warning). <c>ASPNETCORE_HTTP_PORTS</c>, which container images set, is deliberately
/// not honoured: only an explicit URL opens the host beyond loopback.
/// </summary>
public static class ListenAddresses
{
    /// <summary>Where the host listens unless told otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:7071";

    private static readonly string[] UrlVariables = ["ASPNETCORE_URLS", "DOTNET_URLS"];

    /// <summary>
    /// Takes the URLs out of <paramref name="args"/> and this process's environment (so the web host does not bind
    /// them itself) and returns the remaining arguments and the URLs to listen on.
    /// </summary>
    public static (string[] Args, IReadOnlyList<string> Urls) Take(string[] args)
    {
        string? fromArgs = null;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--urls" or "/urls" && i + 1 < args.Length) fromArgs = args[++i];
            else if (args[i].StartsWith("--urls=", StringComparison.Ordinal)) fromArgs = args[i]["--urls=".Length..];
            else rest.Add(args[i]);
        }
        var fromEnvironment = UrlVariables.Select(Environment.GetEnvironmentVariable).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
        foreach (var variable in UrlVariables) Environment.SetEnvironmentVariable(variable, null);
        var urls = (fromArgs ?? fromEnvironment ?? DefaultUrl).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return ([.. rest], urls.Length == 0 ? [DefaultUrl] : urls);
    }

    /// <summary>Adds <paramref name="urls"/> as <c>Kestrel:Endpoints:Public*</c>.</summary>
    public static void Apply(ConfigurationManager configuration, IReadOnlyList<string> urls)
    {
        var values = new Dictionary<string, string?>();
        for (var i = 0; i < urls.Count; i++) values[$"Kestrel:Endpoints:Public{i}:Url"] = urls[i];
        configuration.AddInMemoryCollection(values);
    }
}
