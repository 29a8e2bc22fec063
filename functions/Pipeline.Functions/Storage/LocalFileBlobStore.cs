using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Pipeline.Functions.Storage;

/// <summary>
/// Blobs as files under <c>&lt;data&gt;/blobs/ab/cd/&lt;sha256&gt;</c>. A blob is written to a temporary file first
/// and renamed into place only when complete, so a crash never leaves a partial blob under a real address;
/// stored files are made read-only, since an address promises its bytes.
/// </summary>
public sealed partial class LocalFileBlobStore(string root) : IBlobStore
{
    private const int BufferSize = 81920;

    /// <summary>The directory holding the blobs.</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <inheritdoc/>
    public async Task<StoredBlob> PutAsync(Stream content, long maxBytes, CancellationToken ct = default)
    {
        var incoming = Path.Combine(Root, "incoming");
        Directory.CreateDirectory(incoming);
        var temp = Path.Combine(incoming, Guid.NewGuid().ToString("N"));
        try
        {
            string sha256;
            long size = 0;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[BufferSize];
                int read;
                while ((read = await content.ReadAsync(buffer, ct)) > 0)
                {
                    size += read;
                    if (size > maxBytes) throw new BlobTooLargeException(maxBytes);
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                }
                await file.FlushAsync(ct);
                file.Flush(flushToDisk: true);
                sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            }

            var path = PathOf(sha256);
            if (File.Exists(path)) return new StoredBlob(sha256, size, AlreadyStored: true);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.GroupRead);
            try
            {
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                return new StoredBlob(sha256, size, AlreadyStored: true); // stored by a concurrent upload of the same bytes
            }
            return new StoredBlob(sha256, size, AlreadyStored: false);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <inheritdoc/>
    public Task<Stream?> OpenReadAsync(string sha256, CancellationToken ct = default)
    {
        if (!IsAddress(sha256)) return Task.FromResult<Stream?>(null);
        var path = PathOf(sha256);
        Stream? stream = File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true) : null;
        return Task.FromResult(stream);
    }

    /// <inheritdoc/>
    public Task<bool> ExistsAsync(string sha256, CancellationToken ct = default)
        => Task.FromResult(IsAddress(sha256) && File.Exists(PathOf(sha256)));

    /// <inheritdoc/>
    public Task<LocalBlobFile?> GetLocalFileAsync(string sha256, CancellationToken ct = default)
        => Task.FromResult(IsAddress(sha256) && File.Exists(PathOf(sha256)) ? new LocalBlobFile(PathOf(sha256), IsTemporary: false) : null);

    private string PathOf(string sha256) => Path.Combine(Root, sha256[..2], sha256[2..4], sha256);

    // Only well-formed addresses reach the file system: a name like "../admin.key" is not an address.
    private static bool IsAddress(string sha256) => Sha256Hex().IsMatch(sha256);

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();
}
