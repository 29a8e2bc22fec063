using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Host.Hosting;

/// <summary>
/// One key of the host (see <see cref="HostKeys"/>): 32 random bytes, base64url, in an owner-only file (mode 0600)
/// under the data directory. Created on first start and reused afterwards, so clients keep working across restarts.
/// The key itself is never logged or printed; only where it is.
/// </summary>
public sealed class HostKey
{
    private readonly byte[] _key;

    private HostKey(string name, string filePath, string key)
    {
        Name = name;
        FilePath = filePath;
        _key = Encoding.UTF8.GetBytes(key);
    }

    /// <summary>The key's name as Azure names host keys: <c>master</c> or <c>default</c>.</summary>
    public string Name { get; }

    /// <summary>The file holding the key.</summary>
    public string FilePath { get; }

    /// <summary>Reads the key in <paramref name="filePath"/>, creating the file with a new key when there is none.</summary>
    public static HostKey LoadOrCreate(string name, string filePath)
    {
        filePath = Path.GetFullPath(filePath);
        return new HostKey(name, filePath, OwnerOnlyKeyFile.LoadOrCreate(filePath, () => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32))));
    }

    /// <summary>True when <paramref name="presented"/> is the key (constant-time comparison).</summary>
    public bool Matches(string? presented)
    {
        if (string.IsNullOrEmpty(presented)) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _key);
    }

    /// <inheritdoc/>
    public override string ToString() => $"HostKey({Name}, {FilePath})";
}
