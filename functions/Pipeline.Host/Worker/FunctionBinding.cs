using System.Text.Json;

namespace Pipeline.Host.Worker;

/// <summary>One binding of a function, as the worker reported it in its metadata (one element of <c>raw_bindings</c>).</summary>
/// <param name="Name">The binding's name (the parameter name, or <c>$return</c>).</param>
/// <param name="Type">The binding type, e.g. <c>httpTrigger</c>, <c>http</c>, <c>durableClient</c>, <c>orchestrationTrigger</c>.</param>
/// <param name="Direction">The direction, lower-case: <c>in</c>, <c>out</c> or <c>inout</c>.</param>
/// <param name="Json">The whole binding object, for binding-specific properties (<c>route</c>, <c>methods</c>, <c>authLevel</c>, …).</param>
public sealed record FunctionBinding(string Name, string Type, string Direction, JsonElement Json)
{
    /// <summary>True for the binding that triggers the function (its type ends with <c>Trigger</c>).</summary>
    public bool IsTrigger => Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for an input binding (direction <c>in</c> or <c>inout</c>).</summary>
    public bool IsInput => Direction is "in" or "inout";

    /// <summary>A string property of the binding, or null when absent or not a string.</summary>
    public string? GetString(string property)
        => Json.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Parses one <c>raw_bindings</c> entry. Throws <see cref="FormatException"/> when it has no name or type.</summary>
    public static FunctionBinding Parse(string rawBinding)
    {
        using var document = JsonDocument.Parse(rawBinding);
        var json = document.RootElement.Clone();
        string? Read(string property) => json.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var name = Read("name") ?? throw new FormatException($"A binding has no name: {rawBinding}");
        var type = Read("type") ?? throw new FormatException($"Binding '{name}' has no type: {rawBinding}");
        return new FunctionBinding(name, type, (Read("direction") ?? "in").ToLowerInvariant(), json);
    }
}
