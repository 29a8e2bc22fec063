using System.Text.Json;
using Pipeline.Durable;
using Pipeline.Functions.Durable;

namespace Pipeline.Functions.Tests;

/// <summary>How stored instance state is shown to clients (the cases the diagnostics cannot produce over HTTP).</summary>
public sealed class InstanceStatusResponseTests
{
    private static readonly DateTime Created = new(2025, 1, 31, 8, 0, 0, DateTimeKind.Unspecified);

    [Fact]
    public void A_failed_instance_shows_the_failure_message_as_output_and_the_details_beside_it()
    {
        var failure = new TaskFailureDetails("System.InvalidOperationException", "The scan is encrypted");
        var failed = new OrchestrationMetadata("digitise", "i1")
        {
            RuntimeStatus = OrchestrationRuntimeStatus.Failed,
            CreatedAt = Created,
            LastUpdatedAt = Created,
            SerializedInput = """{"documentId":"d1"}""",
            FailureDetails = failure,
        };

        var json = Serialize(InstanceStatusResponse.From(failed, showInput: true));

        Assert.Equal("Failed", json.GetProperty("runtimeStatus").GetString());
        Assert.Equal("The scan is encrypted", json.GetProperty("output").GetString());
        Assert.Equal("The scan is encrypted", json.GetProperty("failureDetails").GetProperty("errorMessage").GetString());
        Assert.Equal("System.InvalidOperationException", json.GetProperty("failureDetails").GetProperty("errorType").GetString());
        Assert.Equal("d1", json.GetProperty("input").GetProperty("documentId").GetString());
        Assert.Equal("2025-01-31T08:00:00Z", json.GetProperty("createdTime").GetString());
    }

    [Fact]
    public void A_terminate_reason_stored_as_plain_text_is_shown_as_a_json_string()
    {
        var terminated = new OrchestrationMetadata("digitise", "i2")
        {
            RuntimeStatus = OrchestrationRuntimeStatus.Terminated,
            SerializedOutput = "operator said stop",
        };

        var json = Serialize(InstanceStatusResponse.From(terminated, showInput: false));

        Assert.Equal("operator said stop", json.GetProperty("output").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("input").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("customStatus").ValueKind);
        Assert.False(json.TryGetProperty("failureDetails", out _));
        Assert.False(json.TryGetProperty("historyEvents", out _));
    }

    private static JsonElement Serialize(InstanceStatusResponse status)
        => DurableHttp.Parse(JsonSerializer.Serialize(status, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
}
