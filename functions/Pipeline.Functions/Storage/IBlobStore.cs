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

    /// <summary>
    /// A file on this machine holding the blob's bytes, for tools that read files (poppler, Tesseract, qpdf), or null
    /// when there is no such blob. Local storage hands out the stored file itself (read-only); remote storage
    /// downloads a temporary copy. Dispose it when done; never write to it.
    /// </summary>
    Task<LocalBlobFile?> GetLocalFileAsync(string sha256, CancellationToken ct = default);
}

/// <summary>A blob as a local file. Disposing deletes it when it is a temporary copy.</summary>
/// <param name="Path">The file.</param>
/// <param name="IsTemporary">True when <see cref="Path"/> is a copy made for this caller.</param>
public sealed record LocalBlobFile(string Path, bool IsTemporary) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose()
    {
        if (IsTemporary && File.Exists(Path)) File.Delete(Path);
    }
}

/// <summary>Shortcuts over <see cref="IBlobStore"/>.</summary>
public static class BlobStoreExtensions
{
    /// <summary>Stores the file at <paramref name="path"/> (an output the pipeline made, so no size limit).</summary>
    public static async Task<StoredBlob> PutFileAsync(this IBlobStore store, string path, CancellationToken ct = default)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        return await store.PutAsync(file, long.MaxValue, ct);
    }

    /// <summary>Stores <paramref name="bytes"/>.</summary>
    public static async Task<StoredBlob> PutBytesAsync(this IBlobStore store, byte[] bytes, CancellationToken ct = default)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return await store.PutAsync(stream, long.MaxValue, ct);
    }
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
