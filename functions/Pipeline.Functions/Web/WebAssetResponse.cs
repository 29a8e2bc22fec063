namespace Pipeline.Functions.Web;

/// <summary>
/// What to answer for a request of a web file, independent of the server that sends it: a status (200, 304 or 404),
/// every header to send (<c>Content-Type</c> included on a 200) and, on a 200, the body.
/// </summary>
public sealed class WebAssetResponse
{
    internal WebAssetResponse(int statusCode, WebAsset? asset, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        StatusCode = statusCode;
        Asset = asset;
        Headers = headers;
    }

    /// <summary>200 (the file), 304 (the caller's copy is current) or 404 (no page or file at that path).</summary>
    public int StatusCode { get; }

    /// <summary>The file the path named, on a 200 or a 304; <see langword="null"/> on a 404.</summary>
    public WebAsset? Asset { get; }

    /// <summary>The headers to send, security headers on every status; on a 200 they include <c>Content-Type</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The bytes to send: the file's on a 200, none otherwise (and none for HEAD, which the caller knows of).</summary>
    public ReadOnlyMemory<byte> Body => StatusCode == 200 ? Asset!.Content : ReadOnlyMemory<byte>.Empty;
}
