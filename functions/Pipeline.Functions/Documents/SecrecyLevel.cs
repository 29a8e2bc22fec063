namespace Pipeline.Functions.Documents;

/// <summary>
/// State-secret level (Law 117/2025/QH15). Any level above <see cref="None"/> keeps the document on this
/// network: local OCR only, never in an email, opened only by named people.
/// </summary>
public enum SecrecyLevel
{
    /// <summary>Not secret (<c>none</c>).</summary>
    None,
    /// <summary>Mật (<c>mat</c>).</summary>
    Mat,
    /// <summary>Tối mật (<c>toi-mat</c>).</summary>
    ToiMat,
    /// <summary>Tuyệt mật (<c>tuyet-mat</c>).</summary>
    TuyetMat,
}

/// <summary>The API's names of the secrecy levels.</summary>
public static class SecrecyLevels
{
    /// <summary>The names clients send and read, in rising order.</summary>
    public static readonly IReadOnlyList<string> Names = ["none", "mat", "toi-mat", "tuyet-mat"];

    /// <summary>True for Mật, Tối mật and Tuyệt mật.</summary>
    public static bool IsSecret(this SecrecyLevel level) => level != SecrecyLevel.None;

    /// <summary>The marking as printed on the document and shown on pages: MẬT, TỐI MẬT, TUYỆT MẬT (empty for none).</summary>
    public static string Marking(this SecrecyLevel level) => level switch
    {
        SecrecyLevel.Mat => "MẬT",
        SecrecyLevel.ToiMat => "TỐI MẬT",
        SecrecyLevel.TuyetMat => "TUYỆT MẬT",
        _ => "",
    };

    /// <summary>The API name (<c>none|mat|toi-mat|tuyet-mat</c>).</summary>
    public static string ToApiName(this SecrecyLevel level) => Names[(int)level];

    /// <summary>Parses an API name (case-insensitive; empty means none); false for anything else.</summary>
    public static bool TryParse(string? name, out SecrecyLevel level)
    {
        level = SecrecyLevel.None;
        if (string.IsNullOrWhiteSpace(name)) return true;
        for (var i = 0; i < Names.Count; i++)
        {
            if (!string.Equals(Names[i], name.Trim(), StringComparison.OrdinalIgnoreCase)) continue;
            level = (SecrecyLevel)i;
            return true;
        }
        return false;
    }
}
