using System.Text.Json;

namespace Pipeline.Durable;

/// <summary>How inputs, outputs, event payloads and custom statuses are stored: JSON, camelCase (web defaults).</summary>
public static class JsonDataConverter
{
    /// <summary>The serializer options used for all payloads.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);

    /// <summary>Serializes a value; null stays null. A string that already is JSON text is not re-encoded.</summary>
    public static string? Serialize(object? value) => value switch
    {
        null => null,
        RawJson raw => raw.Json,
        JsonElement { ValueKind: JsonValueKind.Undefined } => null,
        _ => JsonSerializer.Serialize(value, value.GetType(), Options),
    };

    /// <summary>Reads a serialized value as <paramref name="type"/>; null or empty text gives the type's default.</summary>
    public static object? Deserialize(string? json, Type type)
    {
        if (string.IsNullOrEmpty(json)) return type.IsValueType ? Activator.CreateInstance(type) : null;
        return JsonSerializer.Deserialize(json, type, Options);
    }

    /// <summary>Reads a serialized value as <typeparamref name="T"/>.</summary>
    public static T? Deserialize<T>(string? json) => (T?)Deserialize(json, typeof(T));
}

/// <summary>JSON text passed through as is (e.g. an HTTP request body used as orchestration input).</summary>
/// <param name="Json">Valid JSON text.</param>
public sealed record RawJson(string Json);
