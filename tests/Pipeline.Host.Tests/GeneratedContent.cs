using System.Net;
using System.Security.Cryptography;

namespace Pipeline.Host.Tests;

/// <summary>
/// A request body of <see cref="Length"/> pseudo-random bytes made while it is sent (never held whole), with its
/// SHA-256 known beforehand. Sent with Content-Length, or chunked when <c>chunked</c>.
/// </summary>
public sealed class GeneratedContent : HttpContent
{
    private const int BlockSize = 1024 * 1024;
    private readonly int _seed;
    private readonly bool _chunked;

    public GeneratedContent(long length, int seed, bool chunked)
    {
        Length = length;
        _seed = seed;
        _chunked = chunked;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var block in Blocks()) hash.AppendData(block.Span);
        Sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        Headers.ContentType = new("application/octet-stream");
    }

    /// <summary>The body's size.</summary>
    public long Length { get; }

    /// <summary>The body's SHA-256, lower-case hex.</summary>
    public string Sha256 { get; }

    /// <inheritdoc/>
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        foreach (var block in Blocks()) await stream.WriteAsync(block);
    }

    /// <inheritdoc/>
    protected override bool TryComputeLength(out long length)
    {
        length = Length;
        return !_chunked;
    }

    private IEnumerable<ReadOnlyMemory<byte>> Blocks()
    {
        var random = new Random(_seed);
        var block = new byte[BlockSize];
        for (long sent = 0; sent < Length; sent += BlockSize)
        {
            random.NextBytes(block);
            yield return block.AsMemory(0, (int)Math.Min(BlockSize, Length - sent));
        }
    }
}
