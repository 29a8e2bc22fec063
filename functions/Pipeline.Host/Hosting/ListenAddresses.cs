using Microsoft.AspNetCore.Hosting;

namespace Pipeline.Host.Hosting;

/// <summary>
/// The host's public HTTP listeners: <c>--urls</c> / <c>ASPNETCORE_URLS</c> (semicolon-separated) as in any ASP.NET
/// Core app, default <c>http://127.0.0.1:7071</c>. They become Kestrel configuration endpoints so that Kestrel binds
/// them next to the loopback gRPC endpoint added in code (Kestrel ignores plain URLs once any endpoint is in code).
/// <c>ASPNETCORE_HTTP_PORTS</c>, which container images set, is deliberately not honoured: only an explicit URL opens
/// the host beyond loopback.
/// </summary>
public static class ListenAddresses
{
    /// <summary>Where the host listens unless told otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:7071";

    /// <summary>Moves the configured URLs (or the default) into <c>Kestrel:Endpoints:Public*</c>; returns them.</summary>
    public static IReadOnlyList<string> Apply(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var configured = configuration[WebHostDefaults.ServerUrlsKey];
        var urls = (string.IsNullOrWhiteSpace(configured) ? DefaultUrl : configured)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var values = new Dictionary<string, string?>
        {
            [WebHostDefaults.ServerUrlsKey] = "",
            [WebHostDefaults.HttpPortsKey] = "",
            [WebHostDefaults.HttpsPortsKey] = "",
        };
        for (var i = 0; i < urls.Length; i++) values[$"Kestrel:Endpoints:Public{i}:Url"] = urls[i];
        configuration.AddInMemoryCollection(values);
        // The web host copied the URLs into its own settings when the builder was made; clear them there too.
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, "");
        return urls;
    }
}
