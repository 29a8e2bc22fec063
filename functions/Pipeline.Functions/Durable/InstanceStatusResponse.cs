using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Pipeline.Durable;

namespace Pipeline.Functions.Durable;

/// <summary>
/// An instance's status in Durable Functions' shape. <see cref="Input"/>, <see cref="CustomStatus"/> and
/// <see cref="Output"/> are the stored JSON values themselves, not strings holding JSON. For a failed instance
/// the output is the failure message (as Durable Functions gives it) and <see cref="FailureDetails"/> says more.
/// </summary>
public sealed record InstanceStatusResponse(
    string Name,
    string InstanceId,
    string RuntimeStatus,
    JsonNode? Input,
    JsonNode? CustomStatus,
    JsonNode? Output,
    DateTime CreatedTime,
    DateTime LastUpdatedTime)
{
    /// <summary>Why the instance failed; absent unless it failed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TaskFailureDetails? FailureDetails { get; init; }

    /// <summary>The current execution's history, each event with its <c>eventType</c> and <c>timestamp</c>; only with <c>showHistory=true</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonArray? HistoryEvents { get; init; }

    /// <summary>The status of <paramref name="instance"/>; its input only when <paramref name="showInput"/>.</summary>
    public static InstanceStatusResponse From(OrchestrationMetadata instance, bool showInput, IReadOnlyList<HistoryEvent>? history = null)
    {
        var output = instance.RuntimeStatus == OrchestrationRuntimeStatus.Failed
            ? JsonValue.Create(instance.FailureDetails?.ErrorMessage ?? instance.SerializedOutput)
            : EmbedJson(instance.SerializedOutput);
        return new InstanceStatusResponse(
            instance.Name,
            instance.InstanceId,
            instance.RuntimeStatus.ToString(),
            showInput ? EmbedJson(instance.SerializedInput) : null,
            EmbedJson(instance.SerializedCustomStatus),
            output,
            AsUtc(instance.CreatedAt),
            AsUtc(instance.LastUpdatedAt))
        {
            FailureDetails = instance.RuntimeStatus == OrchestrationRuntimeStatus.Failed ? instance.FailureDetails : null,
            HistoryEvents = history is null ? null : new JsonArray([.. history.Select(e => JsonNode.Parse(e.ToJson()))]),
        };
    }

    /// <summary>Stored JSON as a JSON value; text that is not JSON (e.g. a terminate reason) as a JSON string.</summary>
    private static JsonNode? EmbedJson(string? stored)
    {
        if (string.IsNullOrEmpty(stored)) return null;
        try
        {
            return JsonNode.Parse(stored);
        }
        catch (JsonException)
        {
            return JsonValue.Create(stored);
        }
    }

    private static DateTime AsUtc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Utc => time,
        DateTimeKind.Local => time.ToUniversalTime(),
        _ => DateTime.SpecifyKind(time, DateTimeKind.Utc), // the engine stores UTC
    };
}
