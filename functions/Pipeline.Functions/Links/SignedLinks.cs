using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Functions.Links;

/// <summary>What a link token stands for.</summary>
/// <param name="Subject">What the link opens: the approval it decides, or the meeting.</param>
/// <param name="Step">The 0-based index of the step the link belongs to.</param>
/// <param name="Recipient">The person the link was mailed to (approver, participant), exactly as issued.</param>
/// <param name="TokenId">This link's id, unique per issued link (<see cref="SignedLinks.NewTokenId"/>); the store of its feature records it to make the link single-use and to end it with its step.</param>
/// <param name="ExpiresAt">When the link stops working, kept to the whole second (rounded up, so never earlier than asked).</param>
public sealed record LinkClaims(string Subject, int Step, string Recipient, string TokenId, DateTimeOffset ExpiresAt);

/// <summary>The outcome of <see cref="SignedLinks.Verify"/>.</summary>
public enum LinkCheckResult
{
    /// <summary>Signed by our key, unchanged and not expired. The caller must still ask its store whether <see cref="LinkClaims.TokenId"/> is used or superseded.</summary>
    Valid,
    /// <summary>Shaped like a link token, but the signature does not match: altered, or signed with another key (e.g. after the key was replaced).</summary>
    Tampered,
    /// <summary>Genuine, but past <see cref="LinkClaims.ExpiresAt"/>.</summary>
    Expired,
    /// <summary>Not a link token at all (truncated, mangled by a mail client, or made up).</summary>
    Malformed,
}

/// <summary>The outcome of checking a token, with its claims when the signature held.</summary>
/// <param name="Result">What the check found.</param>
/// <param name="Claims">The signed claims when <paramref name="Result"/> is <see cref="LinkCheckResult.Valid"/> or <see cref="LinkCheckResult.Expired"/> (so an expired page can name the approval or meeting); otherwise null, since unsigned data must not be trusted.</param>
public sealed record LinkCheck(LinkCheckResult Result, LinkClaims? Claims);

/// <summary>
/// Signs and checks the tokens in mailed links (<c>…/approvals/{token}</c>, <c>…/meetings/{token}</c>, each feature under
/// its own derived key). A token is
/// <c>base64url(payload) "." base64url(HMAC-SHA256(key, payload))</c>, URL-safe without padding; the payload binds
/// subject, step, recipient, token id and expiry, so a link cannot be moved to another recipient, step or subject.
/// </summary>
/// <remarks>
/// <para>
/// Pure: no I/O, no clock (the caller passes <c>now</c>). This class decides only what the token itself can prove:
/// genuine, unchanged, not expired. Whether a link was already used, or superseded because its step ended, is state
/// kept by the feature's store under <see cref="LinkClaims.TokenId"/>; a <see cref="LinkCheckResult.Valid"/>
/// token must be checked there before it decides anything.
/// </para>
/// <para>
/// Tokens stay under <see cref="MaxTokenLength"/> characters so that a link fits on one line of a plain-text mail
/// and survives mail clients that wrap long lines; with a GUID subject id and a <see cref="NewTokenId"/> token id
/// that leaves room for addresses up to about 120 characters.
/// </para>
/// </remarks>
public sealed class SignedLinks
{
    /// <summary>The longest token <see cref="Issue"/> produces.</summary>
    public const int MaxTokenLength = 299;

    // Bumped when the payload layout changes, so old tokens read as Malformed instead of being misread.
    private const byte PayloadVersion = 1;
    private const int MacLength = 32;
    private const int MacChars = 43; // base64url of 32 bytes, unpadded

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly LinkKey _key;

    /// <summary>Links signed and checked with <paramref name="key"/>.</summary>
    public SignedLinks(LinkKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key;
    }

    /// <summary>A new random token id: 16 bytes (128 bits), base64url, 22 characters.</summary>
    public static string NewTokenId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    /// <summary>When a step's links expire by default: the step's due time plus <paramref name="grace"/>, so an approver who opens the mail just after the due time (and after escalation was sent) can still decide.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="grace"/> is negative.</exception>
    public static DateTimeOffset DefaultExpiry(DateTimeOffset stepDue, TimeSpan grace)
    {
        if (grace < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(grace), grace, "Grace cannot be negative.");
        return stepDue + grace;
    }

    /// <summary>A signed token for <paramref name="claims"/>, URL-safe, at most <see cref="MaxTokenLength"/> characters.</summary>
    /// <exception cref="ArgumentException">A claim is empty or negative, or the ids and address together are too long for a link.</exception>
    public string Issue(LinkClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        if (string.IsNullOrEmpty(claims.Subject)) throw new ArgumentException("The subject (approval or meeting id) is empty.", nameof(claims));
        if (string.IsNullOrEmpty(claims.Recipient)) throw new ArgumentException("The recipient is empty.", nameof(claims));
        if (string.IsNullOrEmpty(claims.TokenId)) throw new ArgumentException("The token id is empty.", nameof(claims));
        if (claims.Step < 0) throw new ArgumentException($"Step {claims.Step} is negative.", nameof(claims));

        var payload = EncodePayload(claims);
        var token = Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(_key.Sign(payload));
        if (token.Length > MaxTokenLength)
        {
            throw new ArgumentException(
                $"A link for \"{claims.Subject}\", recipient \"{claims.Recipient}\" and token id \"{claims.TokenId}\" would be {token.Length} characters, over {MaxTokenLength}; use shorter ids.",
                nameof(claims));
        }
        return token;
    }

    /// <summary>
    /// Checks <paramref name="token"/>: <see cref="LinkCheckResult.Malformed"/> when it is not shaped like a token,
    /// <see cref="LinkCheckResult.Tampered"/> when the signature does not match (any changed character, or another
    /// key), then <see cref="LinkCheckResult.Expired"/> when <paramref name="now"/> is at or past the expiry, else
    /// <see cref="LinkCheckResult.Valid"/>. The signature is compared in constant time and checked before anything
    /// in the payload is believed, expiry included.
    /// </summary>
    public LinkCheck Verify(string? token, DateTimeOffset now)
    {
        if (!TrySplit(token, out var payloadText, out var macText)) return new(LinkCheckResult.Malformed, null);

        // The shape is right, so the text decodes unless a group's last character was changed to one that sets the
        // spare bits base64 leaves at zero: that is an altered token, not a stranger's.
        var payload = new byte[Base64Url.GetMaxDecodedLength(payloadText.Length)];
        var mac = new byte[MacLength];
        if (Base64Url.DecodeFromChars(payloadText, payload, out _, out var payloadLength) != System.Buffers.OperationStatus.Done
            || Base64Url.DecodeFromChars(macText, mac, out _, out var macLength) != System.Buffers.OperationStatus.Done
            || macLength != MacLength)
        {
            return new(LinkCheckResult.Tampered, null);
        }
        payload = payload[..payloadLength];

        // Belt and braces should a decoder ever accept spare bits: a token whose text is not the exact encoding of
        // its bytes was altered, even though the bytes (and so the MAC) still match.
        if (!CryptographicOperations.FixedTimeEquals(mac, _key.Sign(payload))
            || !payloadText.SequenceEqual(Base64Url.EncodeToString(payload))
            || !macText.SequenceEqual(Base64Url.EncodeToString(mac)))
        {
            return new(LinkCheckResult.Tampered, null);
        }

        // Only reachable with a payload we signed, e.g. from a newer layout version; never guess at it.
        if (DecodePayload(payload) is not { } claims) return new(LinkCheckResult.Malformed, null);

        return now >= claims.ExpiresAt ? new(LinkCheckResult.Expired, claims) : new(LinkCheckResult.Valid, claims);
    }

    // Shape check before any decoding: one dot, URL-safe base64 characters only, a payload length base64 can
    // produce, a MAC of the right length, and a bound on length so nobody makes us decode megabytes.
    private static bool TrySplit(string? token, out ReadOnlySpan<char> payload, out ReadOnlySpan<char> mac)
    {
        payload = mac = default;
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength + 64) return false;
        var dot = token.IndexOf('.');
        if (dot <= 0 || dot % 4 == 1 || token.Length - dot - 1 != MacChars) return false;
        foreach (var c in token.AsSpan(0, dot)) if (!IsBase64UrlChar(c)) return false;
        foreach (var c in token.AsSpan(dot + 1)) if (!IsBase64UrlChar(c)) return false;
        payload = token.AsSpan(0, dot);
        mac = token.AsSpan(dot + 1);
        return true;
    }

    private static bool IsBase64UrlChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    // Layout (version 1): version byte, expiry as Unix seconds (8 bytes, big-endian), step (7-bit varint), then
    // subject id, token id and recipient, each a 7-bit varint byte length and UTF-8. Binary rather than JSON because
    // every byte costs 4/3 characters in the link.
    private static byte[] EncodePayload(LinkClaims claims)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, StrictUtf8, leaveOpen: true))
        {
            writer.Write(PayloadVersion);
            Span<byte> expiry = stackalloc byte[8];
            BinaryPrimitives.WriteInt64BigEndian(expiry, ExpirySeconds(claims.ExpiresAt));
            writer.Write(expiry);
            writer.Write7BitEncodedInt(claims.Step);
            WriteText(writer, claims.Subject);
            WriteText(writer, claims.TokenId);
            WriteText(writer, claims.Recipient);
        }
        return buffer.ToArray();
    }

    private static LinkClaims? DecodePayload(byte[] payload)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(payload), StrictUtf8);
            if (reader.ReadByte() != PayloadVersion) return null;
            var expiry = BinaryPrimitives.ReadInt64BigEndian(reader.ReadBytes(8));
            var step = reader.Read7BitEncodedInt();
            var approvalId = ReadText(reader);
            var tokenId = ReadText(reader);
            var approver = ReadText(reader);
            if (reader.BaseStream.Position != payload.Length || step < 0) return null;
            return new LinkClaims(approvalId, step, approver, tokenId, DateTimeOffset.FromUnixTimeSeconds(expiry));
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or ArgumentException or DecoderFallbackException)
        {
            return null;
        }
    }

    // Rounded up: a link promised until 12:00:00.5 must not die at 12:00:00.
    private static long ExpirySeconds(DateTimeOffset expiresAt)
    {
        var seconds = expiresAt.ToUnixTimeSeconds(); // floors
        return DateTimeOffset.FromUnixTimeSeconds(seconds) < expiresAt ? seconds + 1 : seconds;
    }

    private static void WriteText(BinaryWriter writer, string text)
    {
        var bytes = StrictUtf8.GetBytes(text);
        writer.Write7BitEncodedInt(bytes.Length);
        writer.Write(bytes);
    }

    private static string ReadText(BinaryReader reader)
    {
        var length = reader.Read7BitEncodedInt();
        if (length <= 0) throw new FormatException("Empty or negative text length.");
        var bytes = reader.ReadBytes(length);
        if (bytes.Length != length) throw new EndOfStreamException();
        return StrictUtf8.GetString(bytes);
    }
}
