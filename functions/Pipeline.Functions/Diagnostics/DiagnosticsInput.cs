using System.Text.Json;
using Microsoft.DurableTask;

namespace Pipeline.Functions.Diagnostics;

/// <summary>Input of the diagnostic orchestrations: <c>{"activities": N, "delayMs": 0}</c>.</summary>
/// <param name="Activities">How many <c>diagnostics-step</c> calls to make.</param>
/// <param name="DelayMs">How long each step waits, to keep an instance mid-run (0..60000).</param>
public sealed record DiagnosticsInput(int Activities, int DelayMs = 0)
{
    /// <summary>Longest step delay.</summary>
    public const int MaxDelayMs = 60_000;

    /// <summary>
    /// The input of the orchestration <paramref name="context"/> runs, checked against <paramref name="maxActivities"/>.
    /// Throws <see cref="ArgumentException"/> saying what to send when it is out of range, so the instance fails at once
    /// with that message instead of running (the input is checked, not just read: it comes from any key holder).
    /// </summary>
    public static DiagnosticsInput Read(TaskOrchestrationContext context, int maxActivities)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Read raw, not bound as a parameter: an absent or malformed input must fail with what to send, and the
        // extension binds a parameter only when the input's runtime type is the parameter's (never for null).
#pragma warning disable DURABLE0009
        var body = context.GetInput<JsonElement?>();
#pragma warning restore DURABLE0009
        if (Validate(body, maxActivities) is { } error) throw new ArgumentException($"{error.Title}. {error.Detail}");
        var input = body!.Value;
        var delay = Find(input, "delayMs") is { ValueKind: JsonValueKind.Number } d ? d.GetInt32() : 0;
        return new DiagnosticsInput(Find(input, "activities")!.Value.GetInt32(), delay);
    }

    /// <summary>What is wrong with a request body meant as input with at most <paramref name="maxActivities"/> activities; null when it is fine.</summary>
    public static InputError? Validate(JsonElement? body, int maxActivities)
    {
        var example = $"Send a JSON object like {{\"activities\": 5}} or {{\"activities\": 5, \"delayMs\": 100}}; activities 1..{maxActivities}, delayMs 0..{MaxDelayMs}.";
        var activitiesError = new InputError($"activities must be between 1 and {maxActivities}", example);

        if (body is not { ValueKind: JsonValueKind.Object } input) return activitiesError;
        if (!TryReadInt(input, "activities", out var activities) || activities < 1 || activities > maxActivities) return activitiesError;

        if (Find(input, "delayMs") is { } delay
            && delay.ValueKind != JsonValueKind.Null
            && (!TryReadInt(input, "delayMs", out var delayMs) || delayMs < 0 || delayMs > MaxDelayMs))
            return new InputError($"delayMs must be between 0 and {MaxDelayMs}", example);

        return null;
    }

    private static bool TryReadInt(JsonElement input, string name, out int value)
    {
        value = 0;
        return Find(input, name) is { ValueKind: JsonValueKind.Number } number && number.TryGetInt32(out value);
    }

    // Property names match case-insensitively, as the engine reads the input.
    private static JsonElement? Find(JsonElement input, string name)
    {
        foreach (var property in input.EnumerateObject())
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase)) return property.Value;
        return null;
    }
}

/// <summary>What is wrong with an input.</summary>
/// <param name="Title">What to fix, e.g. "activities must be between 1 and 1000".</param>
/// <param name="Detail">More help, e.g. an example of a valid input.</param>
public sealed record InputError(string Title, string? Detail = null);

/// <summary>Output of the diagnostic orchestrations.</summary>
/// <param name="Completed">How many steps completed.</param>
public sealed record DiagnosticsResult(int Completed);

/// <summary>Custom status of the diagnostic orchestrations.</summary>
/// <param name="Completed">Steps completed so far.</param>
/// <param name="Total">Steps in all.</param>
public sealed record DiagnosticsProgress(int Completed, int Total);
