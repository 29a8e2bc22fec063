using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Functions.Hosting;

/// <summary>
/// The admin API key of the embedded default: 32 random bytes, base64url, in <c>&lt;data&gt;/admin.key</c>
/// (mode 0600). Created on first start and reused afterwards, so clients keep working across restarts.
/// The key itself is never logged or printed; only where it is.
/// </summary>
public sealed class AdminKey
{
    private readonly byte[] _key;

    private AdminKey(string filePath, string key)
    {
        FilePath = filePath;
        _key = Encoding.UTF8.GetBytes(key);
    }

    /// <summary>The file holding the key.</summary>
    public string FilePath { get; }

    /// <summary>Reads the key in <paramref name="filePath"/>, creating the file with a new key when there is none.</summary>
    public static AdminKey LoadOrCreate(string filePath)
    {
        filePath = Path.GetFullPath(filePath);
        Directory.CreateDirectory(Path.GetDirectoryName(filePath)!);

        // Two processes may start on the same data dir at once: whoever creates the file wins, the other reads it.
        for (var attempt = 0; ; attempt++)
        {
            if (File.Exists(filePath))
            {
                var existing = File.ReadAllText(filePath).Trim();
                if (existing.Length > 0)
                {
                    RestrictToOwner(filePath);
                    return new AdminKey(filePath, existing);
                }
                if (attempt < 3)
                {
                    // Possibly being written by the process that just created it.
                    Thread.Sleep(50);
                    continue;
                }
                File.Delete(filePath); // empty: a start that died while writing it
            }

            var key = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
            try
            {
                using (var file = new FileStream(filePath, CreateOwnerOnly()))
                {
                    file.Write(Encoding.UTF8.GetBytes(key));
                    file.Flush(flushToDisk: true);
                }
                RestrictToOwner(filePath);
                return new AdminKey(filePath, key);
            }
            catch (IOException) when (File.Exists(filePath) && attempt < 5)
            {
                // Lost the race; read the winner's key.
            }
        }
    }

    /// <summary>True when <paramref name="presented"/> is the key (constant-time comparison).</summary>
    public bool Matches(string? presented)
    {
        if (string.IsNullOrEmpty(presented)) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _key);
    }

    /// <inheritdoc/>
    public override string ToString() => $"AdminKey({FilePath})";

    private static FileStreamOptions CreateOwnerOnly()
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return options;
    }

    private static void RestrictToOwner(string filePath)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(filePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
