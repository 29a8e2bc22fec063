using System.Buffers.Text;
using System.Security.Cryptography;

using Pipeline.Functions.Hosting;

namespace Pipeline.Functions.Links;

/// <summary>
/// The secret that signs mailed links (HMAC-SHA256; each feature signs with a key derived from it, <see cref="Derive"/>). Comes from configuration (base64) when given, so several
/// instances behind a load balancer accept each other's links; otherwise, in the embedded default, it is 32
/// random bytes kept base64url in <c>&lt;data&gt;/approval.key</c> (mode 0600), created on first use and reused,
/// so links already mailed keep working across restarts.
/// </summary>
/// <remarks>
/// Changing or losing the key makes every outstanding link <see cref="LinkCheckResult.Tampered"/>. The key itself is
/// never exposed, logged or printed; <see cref="Source"/> says only where it came from.
/// </remarks>
public sealed class LinkKey
{
    /// <summary>Bytes in a generated key, and the fewest a configured key may have (the HMAC-SHA256 output size).</summary>
    public const int Length = 32;

    private readonly byte[] _key;

    private LinkKey(byte[] key, string source)
    {
        _key = key;
        Source = source;
    }

    /// <summary>Where the key came from: <c>configuration</c> or the key file's full path.</summary>
    public string Source { get; }

    /// <summary>
    /// The configured key when <paramref name="configured"/> is set (base64 or base64url of at least
    /// <see cref="Length"/> bytes; the file is then neither read nor created), else the key in
    /// <paramref name="filePath"/>, creating the file when there is none. Safe when two processes start on the
    /// same data directory at once: both end up with the same key.
    /// </summary>
    /// <exception cref="FormatException">The configured value is not base64 or is too short.</exception>
    /// <exception cref="InvalidDataException">The key file holds something other than a key; it is left as is, since replacing it would silently invalidate every link already sent.</exception>
    public static LinkKey LoadOrCreate(string? configured, string filePath)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var key = DecodeKey(configured.Trim())
                ?? throw new FormatException($"The configured link key is not base64 of at least {Length} bytes (e.g. the output of `openssl rand -base64 32`).");
            return new LinkKey(key, "configuration");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        filePath = Path.GetFullPath(filePath);
        var stored = OwnerOnlyKeyFile.LoadOrCreate(filePath, () => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(Length)));
        var fromFile = DecodeKey(stored)
            ?? throw new InvalidDataException($"{filePath} does not hold a link key (base64 of at least {Length} bytes).");
        return new LinkKey(fromFile, filePath);
    }

    /// <summary>
    /// A key for another kind of link (e.g. <c>"meeting-links"</c>), derived from this one with HMAC, so a link of one
    /// kind never verifies as a link of another, and there is still one secret to configure and keep.
    /// </summary>
    public LinkKey Derive(string purpose)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(purpose);
        return new LinkKey(HMACSHA256.HashData(_key, System.Text.Encoding.UTF8.GetBytes("pipeline/" + purpose)), $"{Source} ({purpose})");
    }

    /// <summary>HMAC-SHA256 of <paramref name="data"/> under this key (32 bytes).</summary>
    internal byte[] Sign(ReadOnlySpan<byte> data) => HMACSHA256.HashData(_key, data);

    /// <inheritdoc/>
    public override string ToString() => $"LinkKey({Source})";

    // Operators paste keys from openssl (standard base64) or copy admin-style keys (base64url); take either.
    private static byte[]? DecodeKey(string text)
    {
        var standard = text.Replace('-', '+').Replace('_', '/');
        standard = standard.PadRight(standard.Length + (4 - standard.Length % 4) % 4, '=');
        var buffer = new byte[standard.Length];
        return Convert.TryFromBase64String(standard, buffer, out var written) && written >= Length ? buffer[..written] : null;
    }
}
