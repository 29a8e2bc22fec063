using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Google.Protobuf;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Host.Durable;

/// <summary>
/// An instance's status in Durable Functions' shape. <see cref="Input"/>, <see cref="CustomStatus"/> and
/// <see cref="Output"/> are the stored JSON values themselves, not strings holding JSON. For a failed instance the
/// output is the failure message (as Durable Functions gives it) and <see cref="FailureDetails"/> says more.
/// </summary>
internal sealed record InstanceStatusResponse(
    string Name,
    string InstanceId,
    string RuntimeStatus,
    JsonNode? Input,
    JsonNode? CustomStatus,
    JsonNode? Output,
    DateTime CreatedTime,
    DateTime LastUpdatedTime)
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    /// <summary>Why the instance failed; absent unless it failed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FailureDetailsResponse? FailureDetails { get; init; }

    /// <summary>The current execution's history, each event with its <c>eventType</c> and <c>timestamp</c>; only with <c>showHistory=true</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonArray? HistoryEvents { get; init; }

    /// <summary>The status of <paramref name="state"/>; its input only when <paramref name="showInput"/>.</summary>
    public static InstanceStatusResponse From(P.OrchestrationState state, bool showInput, IReadOnlyList<P.HistoryEvent>? history = null)
    {
        var failed = state.OrchestrationStatus == P.OrchestrationStatus.Failed;
        var output = failed ? JsonValue.Create(state.FailureDetails?.ErrorMessage ?? state.Output) : EmbedJson(state.Output);
        return new InstanceStatusResponse(
            state.Name,
            state.InstanceId,
            state.OrchestrationStatus.ToString(),
            showInput ? EmbedJson(state.Input) : null,
            EmbedJson(state.CustomStatus),
            output,
            state.CreatedTimestamp?.ToDateTime() ?? DateTime.UnixEpoch,
            state.LastUpdatedTimestamp?.ToDateTime() ?? state.CreatedTimestamp?.ToDateTime() ?? DateTime.UnixEpoch)
        {
            FailureDetails = failed && state.FailureDetails is { } f ? FailureDetailsResponse.From(f) : null,
            HistoryEvents = history is null ? null : new JsonArray([.. history.Select(ToJson)]),
        };
    }

    private static JsonNode ToJson(P.HistoryEvent e)
    {
        var node = JsonNode.Parse(Formatter.Format(e))!.AsObject();
        // {"eventId":…,"timestamp":…,"taskCompleted":{…}} → the inner fields flattened next to "eventType".
        var result = new JsonObject { ["eventType"] = e.EventTypeCase.ToString(), ["eventId"] = e.EventId, ["timestamp"] = e.Timestamp?.ToDateTime() };
        foreach (var (key, value) in node)
        {
            if (key is "eventId" or "timestamp") continue;
            if (value is JsonObject inner)
            {
                foreach (var (innerKey, innerValue) in inner) result[innerKey] = innerValue?.DeepClone();
            }
        }
        return result;
    }

    /// <summary>Stored JSON as a JSON value; text that is not JSON as a JSON string.</summary>
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
}

/// <summary>A failure, as Microsoft.DurableTask's TaskFailureDetails serializes.</summary>
internal sealed record FailureDetailsResponse(string ErrorType, string ErrorMessage, string? StackTrace, FailureDetailsResponse? InnerFailure)
{
    /// <summary>From the protobuf message.</summary>
    public static FailureDetailsResponse From(P.TaskFailureDetails details)
        => new(details.ErrorType, details.ErrorMessage, details.StackTrace, details.InnerFailure is { } inner ? From(inner) : null);
}
