using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Functions.Hosting;

/// <summary>
/// Names the key a request came with, for audit entries: <c>admin-key</c> (the host's master key, <c>&lt;data&gt;/admin.key</c>),
/// <c>function-key</c> (its default function key, <c>&lt;data&gt;/function.key</c>), <c>key</c> for any other key (a host
/// that keeps its keys elsewhere, as Azure does), <c>anonymous</c> for none. The host has already checked the key — it
/// forwards the request headers, the key among them — so this only reads the key files, once, and never writes them.
/// </summary>
public sealed class HostKeyNames(DataDirectory data)
{
    /// <summary>The header a key comes in (as the host reads it).</summary>
    public const string HeaderName = "x-functions-key";

    /// <summary>The query parameter a key comes in (as the host reads it).</summary>
    public const string QueryName = "code";

    private readonly Lazy<byte[]?> _admin = new(() => Read(data.AdminKeyFile));
    private readonly Lazy<byte[]?> _function = new(() => Read(data.FunctionKeyFile));

    /// <summary>The name of the key <paramref name="request"/> carries (header first, then query, as the host checks them).</summary>
    public string NameOf(HttpRequest request)
    {
        var header = request.Headers[HeaderName].ToString();
        return NameOf(header.Length > 0 ? header : request.Query[QueryName].ToString());
    }

    /// <summary>The name of <paramref name="presented"/>.</summary>
    public string NameOf(string? presented)
    {
        if (string.IsNullOrEmpty(presented)) return "anonymous";
        var bytes = Encoding.UTF8.GetBytes(presented);
        if (Matches(_admin.Value, bytes)) return "admin-key";
        if (Matches(_function.Value, bytes)) return "function-key";
        return "key";
    }

    private static bool Matches(byte[]? key, byte[] presented) => key is not null && CryptographicOperations.FixedTimeEquals(key, presented);

    private static byte[]? Read(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return text.Length == 0 ? null : Encoding.UTF8.GetBytes(text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
