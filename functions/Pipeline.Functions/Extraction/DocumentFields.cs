using System.Globalization;
using System.Text.Json.Nodes;
using Pipeline.Functions.Digitise;
using Pipeline.Functions.Documents;

namespace Pipeline.Functions.Extraction;

/// <summary>
/// A document's fields as stored and served (API.md <c>fields</c>): per field <c>{"value","confidence","corrected"}</c>;
/// <c>recipients</c> has a list value. Extraction fills them; a reviewer's correction sets the value with confidence 1
/// and <c>corrected: true</c>, and is never overwritten by a later extraction.
/// </summary>
public sealed class DocumentFields
{
    /// <summary>Every field, in API order.</summary>
    public static readonly IReadOnlyList<string> Names = DocumentResponse.FieldNames;

    /// <summary>The fields whose doubt sends a document to review.</summary>
    public static readonly IReadOnlyList<string> KeyFields = ["code", "date", "type", "issuer"];

    private readonly JsonObject _fields;

    private DocumentFields(JsonObject fields) => _fields = fields;

    /// <summary>The fields of a fresh extraction.</summary>
    public static DocumentFields From(OfficialDocumentFields extracted)
    {
        var fields = new JsonObject();
        void Set(string name, ExtractedField f) => fields[name] = Field(f.Value is null ? null : JsonValue.Create(f.Value), f.Confidence, false);
        Set("issuer", extracted.Issuer);
        Set("code", extracted.Code);
        Set("number", extracted.Number);
        Set("symbol", extracted.Symbol);
        Set("type", extracted.Type);
        Set("summary", extracted.Summary);
        Set("place", extracted.Place);
        Set("date", extracted.Date);
        Set("signerAuthority", extracted.SignerAuthority);
        Set("signerTitle", extracted.SignerTitle);
        Set("signer", extracted.Signer);
        fields["recipients"] = Field(new JsonArray([.. extracted.Recipients.Value.Select(r => (JsonNode?)JsonValue.Create(r))]), extracted.Recipients.Confidence, false);
        Set("secrecy", extracted.Secrecy);
        Set("urgency", extracted.Urgency);
        return new DocumentFields(fields);
    }

    /// <summary>The stored fields, or null when there are none.</summary>
    public static DocumentFields? Parse(string? json) => json is null ? null : JsonNode.Parse(json) is JsonObject o ? new DocumentFields(o) : null;

    /// <summary>
    /// A new extraction merged over these stored fields: a reviewer's corrections stay, everything else is replaced.
    /// </summary>
    public DocumentFields MergeExtraction(DocumentFields extracted)
    {
        var merged = (JsonObject)extracted._fields.DeepClone();
        foreach (var name in Names)
            if (IsCorrected(name)) merged[name] = _fields[name]!.DeepClone();
        return new DocumentFields(merged);
    }

    /// <summary>The value of a text field, or null.</summary>
    public string? Value(string name) => _fields[name]?["value"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The list value of <c>recipients</c>.</summary>
    public IReadOnlyList<string> ListValue(string name) => _fields[name]?["value"] is JsonArray a ? [.. a.Select(n => n?.GetValue<string>() ?? "")] : [];

    /// <summary>The field's confidence (0 when absent).</summary>
    public double Confidence(string name) => _fields[name]?["confidence"]?.GetValue<double>() ?? 0;

    /// <summary>True when a reviewer set the field.</summary>
    public bool IsCorrected(string name) => _fields[name]?["corrected"]?.GetValue<bool>() ?? false;

    /// <summary>The key fields neither confident (at <paramref name="threshold"/> or above) nor corrected.</summary>
    public IReadOnlyList<string> DoubtfulKeyFields(double threshold)
        => [.. KeyFields.Where(f => !IsCorrected(f) && Confidence(f) < threshold)];

    /// <summary>The secrecy level the printed stamp shows, or None.</summary>
    public SecrecyLevel PrintedSecrecy() => VietnameseText.Fold(Value("secrecy") ?? "") switch
    {
        "tuyet mat" => SecrecyLevel.TuyetMat,
        "toi mat" => SecrecyLevel.ToiMat,
        "mat" => SecrecyLevel.Mat,
        _ => SecrecyLevel.None,
    };

    /// <summary>
    /// The key of the document registry (Decree 30 annex VI): number and symbol with the issuing body, folded so OCR
    /// case and diacritic slips do not hide a duplicate; null when either is unknown.
    /// </summary>
    public string? RegistryKey()
    {
        var code = Value("code");
        var issuer = Value("issuer");
        if (string.IsNullOrWhiteSpace(code) || string.IsNullOrWhiteSpace(issuer)) return null;
        return VietnameseText.Fold(code).Replace(" ", "") + "|" + VietnameseText.Fold(issuer.Replace('\n', ' '));
    }

    /// <summary>Every value, for the search index.</summary>
    public IEnumerable<string?> AllValues() => Names.SelectMany(n => n == "recipients" ? ListValue(n).Cast<string?>() : [Value(n)]);

    /// <summary>
    /// Applies a reviewer's corrections (field name → string, list of strings for recipients, or null to clear): each is
    /// checked, then set with confidence 1 and <c>corrected: true</c>. Returns the problems found instead when any
    /// correction is invalid; nothing is applied then.
    /// </summary>
    public IReadOnlyList<string> Correct(JsonObject corrections)
    {
        var problems = new List<string>();
        foreach (var (name, value) in corrections)
        {
            if (!Names.Contains(name)) { problems.Add($"\"{name}\" is not a field; fields are {string.Join(", ", Names)}."); continue; }
            if (name == "recipients")
            {
                if (value is not null && (value is not JsonArray list || list.Any(i => i is not JsonValue iv || !iv.TryGetValue<string>(out _))))
                    problems.Add("recipients must be a list of strings.");
                continue;
            }
            if (value is not null && (value is not JsonValue v || !v.TryGetValue<string>(out _))) { problems.Add($"{name} must be a string or null."); continue; }
            var text = value?.GetValue<string>();
            if (name == "date" && text is not null && !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                problems.Add($"date \"{text}\" is not a date written yyyy-MM-dd.");
            if (name == "secrecy" && text is not null && VietnameseText.Fold(text) is not ("mat" or "toi mat" or "tuyet mat"))
                problems.Add($"secrecy \"{text}\" is not MẬT, TỐI MẬT or TUYỆT MẬT.");
            if (text is { Length: > 4000 }) problems.Add($"{name} is longer than 4000 characters.");
        }
        if (problems.Count > 0) return problems;

        foreach (var (name, value) in corrections)
        {
            JsonNode? normalized = value switch
            {
                null when name == "recipients" => new JsonArray(),
                null => null,
                JsonArray list => new JsonArray([.. list.Select(i => (JsonNode?)JsonValue.Create(VietnameseText.Normalize(i!.GetValue<string>().Trim())))]),
                _ => JsonValue.Create(VietnameseText.Normalize(value.GetValue<string>().Trim())),
            };
            _fields[name] = Field(normalized, 1.0, true);
        }
        return [];
    }

    /// <summary>The JSON stored in the catalog.</summary>
    public string ToJson() => _fields.ToJsonString();

    private static JsonObject Field(JsonNode? value, double confidence, bool corrected)
        => new() { ["value"] = value, ["confidence"] = Math.Round(confidence, 3), ["corrected"] = corrected };
}
