namespace Pipeline.Functions.Storage;

/// <summary>
/// Content-addressed storage for originals and outputs: a blob's name is the SHA-256 of its bytes, so the same
/// bytes are stored once and a stored blob never changes. Implementations: local files (embedded default);
/// Azure Blob Storage for scale-out comes later.
/// </summary>
public interface IBlobStore
{
    /// <summary>
    /// Streams <paramref name="content"/> into the store (never holding it whole in memory) and returns its address.
    /// Stops with <see cref="BlobTooLargeException"/> once more than <paramref name="maxBytes"/> have been read;
    /// nothing is stored then.
    /// </summary>
    Task<StoredBlob> PutAsync(Stream content, long maxBytes, CancellationToken ct = default);

    /// <summary>The blob's bytes, or null when there is no such blob.</summary>
    Task<Stream?> OpenReadAsync(string sha256, CancellationToken ct = default);

    /// <summary>True when the blob is stored.</summary>
    Task<bool> ExistsAsync(string sha256, CancellationToken ct = default);
}

/// <summary>A stored blob.</summary>
/// <param name="Sha256">Lower-case hex SHA-256 of the bytes: the blob's address.</param>
/// <param name="SizeBytes">Its length.</param>
/// <param name="AlreadyStored">True when the same bytes were stored before (nothing new was written).</param>
public sealed record StoredBlob(string Sha256, long SizeBytes, bool AlreadyStored);

/// <summary>The content was larger than allowed.</summary>
public sealed class BlobTooLargeException(long maxBytes)
    : IOException($"The file is larger than the {maxBytes / (1024 * 1024)} MB allowed.")
{
    /// <summary>The limit that was passed.</summary>
    public long MaxBytes { get; } = maxBytes;
}
