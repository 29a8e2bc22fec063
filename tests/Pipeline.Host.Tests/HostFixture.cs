namespace Pipeline.Host.Tests;

/// <summary>One host shared by the tests of a class.</summary>
public sealed class HostFixture : IAsyncLifetime
{
    private HostProcess? _host;

    /// <summary>The host.</summary>
    public HostProcess Host => _host ?? throw new InvalidOperationException("Not started.");

    /// <inheritdoc/>
    public async Task InitializeAsync() => _host = await HostProcess.StartAsync();

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
    }
}
