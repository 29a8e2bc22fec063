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
        return new AdminKey(filePath, OwnerOnlyKeyFile.LoadOrCreate(filePath, () => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32))));
    }

    /// <summary>True when <paramref name="presented"/> is the key (constant-time comparison).</summary>
    public bool Matches(string? presented)
    {
        if (string.IsNullOrEmpty(presented)) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _key);
    }

    /// <inheritdoc/>
    public override string ToString() => $"AdminKey({FilePath})";
}
