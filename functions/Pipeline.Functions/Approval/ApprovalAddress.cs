using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Pipeline.Functions.Approval;

/// <summary>Where approvers reach the app: the links put in mail.</summary>
public sealed class ApprovalAddress(ApprovalOptions options, IServer server)
{
    /// <summary>The app's public base address, ending in <c>/</c>: <see cref="ApprovalOptions.PublicBaseUrl"/>, else the first address the app listens on.</summary>
    public Uri Base
    {
        get
        {
            var configured = options.PublicBaseUrl ?? FromServer();
            return configured.AbsoluteUri.EndsWith('/') ? configured : new Uri(configured.AbsoluteUri + "/");
        }
    }

    /// <summary>The decision page of <paramref name="token"/>.</summary>
    public Uri LinkFor(string token) => LinkForPath("approvals/" + token);

    /// <summary>The app's page at <paramref name="relativePath"/> (no leading slash), e.g. <c>meetings/{token}</c>.</summary>
    public Uri LinkForPath(string relativePath) => new(Base, relativePath);

    private Uri FromServer()
    {
        var listening = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The app does not listen on any address yet; set pipeline.approvals.publicBaseUrl in host.json.");
        // A wildcard listen address is not somewhere a mail link can point to; on one machine it is localhost.
        var builder = new UriBuilder(listening.Replace("://+", "://localhost").Replace("://*", "://localhost"));
        if (builder.Host is "0.0.0.0" or "[::]" or "::") builder.Host = "localhost";
        return builder.Uri;
    }
}
