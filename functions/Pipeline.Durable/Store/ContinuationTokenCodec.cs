using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;

namespace Pipeline.Durable.Store;

/// <summary>
/// The one encoding of paging positions (<see cref="PageKey"/>) as opaque continuation tokens, for every store and
/// both paged RPCs. A token that was not produced here is refused with <see cref="InvalidContinuationTokenException"/>:
/// silently restarting at page 1 would make a client with a corrupted token page forever.
/// </summary>
public static class ContinuationTokenCodec
{
    private const byte Version = 1;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Encodes a position.</summary>
    public static string Encode(PageKey key)
    {
        var id = Encoding.UTF8.GetBytes(key.InstanceId);
        var bytes = new byte[1 + sizeof(long) + id.Length];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1), key.Time.Ticks);
        id.CopyTo(bytes, 1 + sizeof(long));
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>Decodes a token; null or empty means "from the start".</summary>
    /// <exception cref="InvalidContinuationTokenException">The token is not one this codec produced.</exception>
    public static PageKey? Decode(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(token);
        }
        catch (FormatException e)
        {
            throw new InvalidContinuationTokenException(token, e);
        }
        if (bytes.Length <= 1 + sizeof(long) || bytes[0] != Version) throw new InvalidContinuationTokenException(token);
        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(1));
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks) throw new InvalidContinuationTokenException(token);
        try
        {
            return new PageKey(new DateTime(ticks, DateTimeKind.Utc), StrictUtf8.GetString(bytes, 1 + sizeof(long), bytes.Length - 1 - sizeof(long)));
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidContinuationTokenException(token, e);
        }
    }
}

/// <summary>Thrown for a continuation token that this sidecar did not issue (or that was altered).</summary>
public sealed class InvalidContinuationTokenException(string token, Exception? inner = null)
    : ArgumentException($"The continuation token '{Shorten(token)}' is not valid: pass back exactly the token a previous page returned, or none to start from the first page.", inner)
{
    private static string Shorten(string token) => token.Length <= 64 ? token : token[..64] + "…";
}
