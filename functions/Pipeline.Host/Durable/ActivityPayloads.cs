using System.Globalization;
using System.Text.Json;
using Pipeline.Host.Worker.Rpc;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Host.Durable;

/// <summary>Activity inputs and results between the sidecar (JSON text) and the worker (TypedData), as Microsoft's extension converts them.</summary>
internal static class ActivityPayloads
{
    /// <summary>
    /// The input the activity trigger gets. DurableTask.Core (under Microsoft.DurableTask's orchestration context)
    /// schedules activities with their input wrapped in a one-element JSON array; for dotnet-isolated workers the
    /// extension unwraps it (DurableActivityContext, <c>inputsAreArrays</c>) and sends the element's JSON text.
    /// Anything else is passed on as it is. Null when there is no input.
    /// </summary>
    public static string? UnwrapInput(string? input)
    {
        if (string.IsNullOrEmpty(input)) return null;
        try
        {
            using var document = JsonDocument.Parse(input);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Array && root.GetArrayLength() == 1 ? root[0].GetRawText() : input;
        }
        catch (JsonException)
        {
            return input;
        }
    }

    /// <summary>
    /// The activity's return value as the JSON text of TaskCompleted.result: a string is a JSON string (the worker
    /// sends a string return value as is), JSON passes through, numbers and bytes are serialized; nothing is null.
    /// </summary>
    public static string? ToJson(TypedData? data) => data?.DataCase switch
    {
        TypedData.DataOneofCase.String => JsonSerializer.Serialize(data.String),
        TypedData.DataOneofCase.Json => data.Json,
        TypedData.DataOneofCase.Int => data.Int.ToString(CultureInfo.InvariantCulture),
        TypedData.DataOneofCase.Double => JsonSerializer.Serialize(data.Double),
        TypedData.DataOneofCase.Bytes => JsonSerializer.Serialize(data.Bytes.ToByteArray()),
        _ => null,
    };

    /// <summary>
    /// A failed activity invocation as the TaskFailureDetails the orchestrator sees. Worker.Extensions.DurableTask
    /// 1.2x sends the failure as JSON in the exception message (<c>{"errorType","errorMessage","stackTrace",
    /// "innerFailure",…}</c>, its TaskFailureDetailsConverter) for the host to unpack; older workers send the plain
    /// exception, whose type, message and stack trace are used.
    /// </summary>
    public static P.TaskFailureDetails Failure(Worker.Rpc.RpcException? exception)
    {
        var message = exception?.Message;
        if (!string.IsNullOrEmpty(message) && message.TrimStart().StartsWith('{'))
        {
            try
            {
                using var document = JsonDocument.Parse(message);
                if (FromJson(document.RootElement) is { } details) return details;
            }
            catch (JsonException)
            {
                // Not the extension's JSON: use the text as it is.
            }
        }
        return new P.TaskFailureDetails
        {
            ErrorType = string.IsNullOrEmpty(exception?.Type) ? "System.Exception" : exception.Type,
            ErrorMessage = string.IsNullOrEmpty(message) ? "The activity function failed." : message,
            StackTrace = string.IsNullOrEmpty(exception?.StackTrace) ? null : exception.StackTrace,
        };
    }

    private static P.TaskFailureDetails? FromJson(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object) return null;
        string? Text(string name)
        {
            foreach (var property in json.EnumerateObject())
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String) return property.Value.GetString();
            return null;
        }
        JsonElement? Element(string name)
        {
            foreach (var property in json.EnumerateObject())
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase)) return property.Value;
            return null;
        }
        var type = Text("errorType");
        var message = Text("errorMessage");
        if (type is null && message is null) return null;
        var details = new P.TaskFailureDetails { ErrorType = type ?? "System.Exception", ErrorMessage = message ?? "" };
        if (Text("stackTrace") is { Length: > 0 } stack) details.StackTrace = stack;
        if (Element("innerFailure") is { } inner && FromJson(inner) is { } innerDetails) details.InnerFailure = innerDetails;
        if (Element("isNonRetriable") is { ValueKind: JsonValueKind.True }) details.IsNonRetriable = true;
        return details;
    }
}
