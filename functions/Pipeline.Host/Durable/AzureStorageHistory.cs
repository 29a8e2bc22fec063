using System.Runtime.CompilerServices;
using DurableTask.Core.History;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Host.Durable;

/// <summary>
/// Reads the history DurableTask.AzureStorage gives out (<c>GetOrchestrationHistoryAsync</c>: a JSON array of
/// DurableTask.Core history events, without type names) into the sidecar contract's history events.
/// </summary>
internal static class AzureStorageHistory
{
    /// <summary>Each concrete event class by the <see cref="EventType"/> it reports.</summary>
    private static readonly Dictionary<EventType, Type> Types = HistoryEvent.KnownTypes()
        .Select(t => (Type: t, Kind: ((HistoryEvent)RuntimeHelpers.GetUninitializedObject(t)).EventType))
        .GroupBy(e => e.Kind)
        .ToDictionary(g => g.Key, g => g.First().Type);

    private static readonly JsonSerializer Serializer = JsonSerializer.Create();

    /// <summary>The events, in order; ones the contract cannot carry are left out.</summary>
    public static IEnumerable<P.HistoryEvent> FromJson(string json)
    {
        foreach (var item in JArray.Parse(json).OfType<JObject>())
        {
            var kind = item.GetValue("EventType", StringComparison.OrdinalIgnoreCase)?.ToObject<EventType>(Serializer);
            if (kind is null || !Types.TryGetValue(kind.Value, out var type)) continue;
            P.HistoryEvent? converted;
            try
            {
                var e = (HistoryEvent)item.ToObject(type, Serializer)!;
                converted = ProtobufUtils.ToHistoryEventProto(e);
                if (e is ExecutionCompletedEvent completed && converted.ExecutionCompleted is { } proto)
                {
                    // ToHistoryEventProto reports every ExecutionCompleted as Completed, without failure details.
                    proto.OrchestrationStatus = (P.OrchestrationStatus)completed.OrchestrationStatus;
                    proto.FailureDetails = ToProto(completed.FailureDetails);
                }
            }
            catch (NotSupportedException)
            {
                converted = null; // e.g. entity events: not part of the orchestration history the API shows
            }
            if (converted is not null) yield return converted;
        }
    }

    private static P.TaskFailureDetails? ToProto(DurableTask.Core.FailureDetails? details) => details is null ? null : new P.TaskFailureDetails
    {
        ErrorType = details.ErrorType ?? "",
        ErrorMessage = details.ErrorMessage ?? "",
        StackTrace = details.StackTrace,
        InnerFailure = ToProto(details.InnerFailure),
        IsNonRetriable = details.IsNonRetriable,
    };
}
