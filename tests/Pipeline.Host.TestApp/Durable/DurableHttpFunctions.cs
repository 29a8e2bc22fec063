using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Pipeline.Host.TestApp.Durable;

/// <summary>HTTP functions that use a <c>[DurableClient]</c> (the binding the host supplies).</summary>
public sealed class DurableHttpFunctions
{
    /// <summary>
    /// Starts orchestration <paramref name="name"/> with the JSON body as input (optional query: <c>instanceId</c>,
    /// <c>delaySeconds</c> for a scheduled start); answers 202 with the instance id and the management payload.
    /// </summary>
    [Function("DurableStart")]
    public async Task<IResult> Start([HttpTrigger(AuthorizationLevel.Function, "post", Route = "durable/start/{name}")] HttpRequest request, string name,
        [DurableClient] DurableTaskClient client)
    {
        var input = await ReadInputAsync(request);
        var options = new StartOrchestrationOptions(NullIfEmpty(request.Query["instanceId"]));
        if (double.TryParse(request.Query["delaySeconds"], NumberStyles.Float, CultureInfo.InvariantCulture, out var delay))
            options = options with { StartAt = DateTimeOffset.UtcNow.AddSeconds(delay) };
        var id = await client.ScheduleNewOrchestrationInstanceAsync(name, input, options);
        return Results.Json(new { id, management = client.CreateHttpManagementPayload(id) }, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>Starts orchestration <paramref name="name"/> and waits until it finishes; answers its state.</summary>
    [Function("DurableRun")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Function, "post", Route = "durable/run/{name}")] HttpRequest request, string name,
        [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var input = await ReadInputAsync(request);
        var id = await client.ScheduleNewOrchestrationInstanceAsync(name, input, new StartOrchestrationOptions(NullIfEmpty(request.Query["instanceId"])), cancellationToken);
        var state = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, cancellationToken);
        return Results.Json(Describe(state));
    }

    /// <summary>The state of instance <paramref name="id"/> as the client sees it (404 when there is none).</summary>
    [Function("DurableState")]
    public async Task<IResult> State([HttpTrigger(AuthorizationLevel.Function, "get", Route = "durable/instances/{id}")] HttpRequest request, string id,
        [DurableClient] DurableTaskClient client)
    {
        var state = await client.GetInstanceAsync(id, getInputsAndOutputs: true);
        return state is null ? Results.NotFound() : Results.Json(Describe(state));
    }

    /// <summary>Raises event <paramref name="eventName"/> with the body (a JSON string) through the client.</summary>
    [Function("DurableRaise")]
    public async Task<IResult> Raise([HttpTrigger(AuthorizationLevel.Function, "post", Route = "durable/instances/{id}/raise/{eventName}")] HttpRequest request,
        string id, string eventName, [DurableClient] DurableTaskClient client)
    {
        await client.RaiseEventAsync(id, eventName, await ReadInputAsync(request));
        return Results.Accepted();
    }

    private static object Describe(OrchestrationMetadata? state) => state is null ? new { exists = false } : new
    {
        exists = true,
        id = state.InstanceId,
        name = state.Name,
        status = state.RuntimeStatus.ToString(),
        output = state.SerializedOutput is null ? (JsonElement?)null : JsonDocument.Parse(state.SerializedOutput).RootElement,
        customStatus = state.SerializedCustomStatus,
        failure = state.FailureDetails?.ErrorMessage,
        failureType = state.FailureDetails?.ErrorType,
    };

    private static async Task<JsonElement?> ReadInputAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync();
        return string.IsNullOrWhiteSpace(text) ? null : JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
