namespace Pipeline.Functions.Links;

/// <summary>
/// Where people reach the app from the links put in mail (approvals, meetings): <c>pipeline.approvals.publicBaseUrl</c> when configured;
/// otherwise the address the API was last called at by a key holder (<see cref="Observe"/>), kept in
/// <c>&lt;data&gt;/public-address</c> so mails sent after a restart still carry it. The app runs behind the Functions
/// host and does not know the host's address by itself.
/// </summary>
public sealed class PublicAddress
{
    private readonly Uri? _configured;
    private readonly string _file;
    private readonly Lock _gate = new();
    private Uri? _observed;

    /// <summary><paramref name="configured"/> when set, else the one observed, kept in <paramref name="dataDirectory"/>.</summary>
    public PublicAddress(Uri? configured, string dataDirectory)
    {
        _configured = configured;
        _file = Path.Combine(dataDirectory, "public-address");
        if (File.Exists(_file) && Uri.TryCreate(File.ReadAllText(_file).Trim(), UriKind.Absolute, out var stored)) _observed = stored;
    }

    /// <summary>The app's public base address, ending in <c>/</c>.</summary>
    public Uri Base
    {
        get
        {
            var address = _configured ?? _observed
                ?? throw new InvalidOperationException("The app's public address is unknown: set pipeline.approvals.publicBaseUrl in host.json.");
            return address.AbsoluteUri.EndsWith('/') ? address : new Uri(address.AbsoluteUri + "/");
        }
    }

    /// <summary>The decision page of <paramref name="token"/>.</summary>
    public Uri LinkFor(string token) => LinkForPath("approvals/" + token);

    /// <summary>The app's page at <paramref name="relativePath"/> (no leading slash), e.g. <c>meetings/{token}</c>.</summary>
    public Uri LinkForPath(string relativePath) => new(Base, relativePath);

    /// <summary>
    /// Remembers the address <paramref name="request"/> was made to, as the host forwarded it. Only for requests that
    /// carried a key (the API): an anonymous caller's Host header must never decide where mailed links point.
    /// </summary>
    public void Observe(HttpRequest request)
    {
        if (_configured is not null) return;
        if (!Uri.TryCreate($"{PublicRequest.Scheme(request)}://{PublicRequest.Host(request)}/", UriKind.Absolute, out var address)) return;
        lock (_gate)
        {
            if (address == _observed) return;
            _observed = address;
            var temporary = _file + ".tmp";
            File.WriteAllText(temporary, address.AbsoluteUri);
            File.Move(temporary, _file, overwrite: true);
        }
    }
}
