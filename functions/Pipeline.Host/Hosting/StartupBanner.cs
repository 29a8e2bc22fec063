using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Pipeline.Host.Worker;

namespace Pipeline.Host.Hosting;

/// <summary>
/// Prints, once the first worker has loaded its functions and HTTP listens, exactly two lines on stdout (scripts and
/// tests wait for the first): <c>Pipeline listening on &lt;url&gt;</c> and <c>Admin key: &lt;path&gt;</c>.
/// </summary>
internal sealed class StartupBanner(IWorkerLifecycle lifecycle, IServer server, RpcEndpoint rpc, HostKeys keys) : IHostedService
{
    private int _printed;

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifecycle.Ready += _ => Print();
        if (lifecycle.Current is not null) Print();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Print()
    {
        if (Interlocked.Exchange(ref _printed, 1) != 0) return;
        Console.Out.WriteLine($"Pipeline listening on {string.Join(", ", PublicAddresses())}");
        Console.Out.WriteLine($"Admin key: {keys.Master.FilePath}");
        Console.Out.Flush();
    }

    private IEnumerable<string> PublicAddresses()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
        {
            if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Port == rpc.Port) continue;
            yield return address.TrimEnd('/');
        }
    }
}
