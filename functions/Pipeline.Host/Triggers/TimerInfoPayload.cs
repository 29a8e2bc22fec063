using System.Globalization;
using System.Text.Json;
using Pipeline.Host.Worker.Rpc;

namespace Pipeline.Host.Triggers;

/// <summary>
/// The trigger input of a timer invocation: TimerInfo as JSON, as Microsoft's host sends it and the Timer extension's
/// TimerInfoConverter reads it (System.Text.Json, case-insensitive): <c>{"Schedule":{"AdjustForDST":true},
/// "ScheduleStatus":{"Last":…,"Next":…,"LastUpdated":…},"IsPastDue":false}</c>. As in Microsoft's host during an
/// invocation: <c>Last</c> is the previous occurrence that ran (0001-01-01 before the first), <c>Next</c> the
/// occurrence running now (for a run on startup, the first scheduled one), <c>LastUpdated</c> when that status was
/// taken. Times are UTC.
/// </summary>
internal static class TimerInfoPayload
{
    /// <summary>The TimerInfo JSON.</summary>
    public static string Json(DateTimeOffset? last, DateTimeOffset? next, DateTimeOffset lastUpdated, bool isPastDue)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("Schedule");
            json.WriteBoolean("AdjustForDST", true);
            json.WriteEndObject();
            json.WriteStartObject("ScheduleStatus");
            json.WriteString("Last", Format(last));
            json.WriteString("Next", Format(next));
            json.WriteString("LastUpdated", Format(lastUpdated));
            json.WriteEndObject();
            json.WriteBoolean("IsPastDue", isPastDue);
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>The trigger's input binding for <paramref name="bindingName"/>.</summary>
    public static ParameterBinding Binding(string bindingName, string json)
        => new() { Name = bindingName, Data = new TypedData { Json = json } };

    private static string Format(DateTimeOffset? time)
        => time is { } t
            ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)
            : DateTime.MinValue.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
}
