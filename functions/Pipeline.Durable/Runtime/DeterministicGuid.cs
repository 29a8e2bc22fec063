using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Durable.Runtime;

/// <summary>Name-based (RFC 4122 version 5) GUIDs: the same name always gives the same GUID.</summary>
internal static class DeterministicGuid
{
    // A fixed namespace for orchestration GUIDs (the URL namespace from RFC 4122).
    private static readonly byte[] Namespace = new Guid("6ba7b811-9dad-11d1-80b4-00c04fd430c8").ToByteArray(bigEndian: true);

    public static Guid Create(string name)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[Namespace.Length + nameBytes.Length];
        Namespace.CopyTo(input, 0);
        nameBytes.CopyTo(input, Namespace.Length);
        var hash = SHA1.HashData(input);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
