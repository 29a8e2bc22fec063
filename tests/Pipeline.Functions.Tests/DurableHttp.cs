using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Pipeline.Functions.Tests;

/// <summary>What a client of the Durable Functions HTTP API does: start, poll, read JSON.</summary>
public static class DurableHttp
{
    /// <summary>Default wait for an instance to reach a state.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>POST /api/orchestrators/{name}[/{instanceId}] with <paramref name="json"/> as the body (none when null).</summary>
    public static Task<HttpResponseMessage> StartAsync(this HttpClient client, string name, string? json, string? instanceId = null)
    {
        var path = instanceId is null ? $"/api/orchestrators/{name}" : $"/api/orchestrators/{name}/{Uri.EscapeDataString(instanceId)}";
        return client.PostAsync(path, json is null ? null : new StringContent(json, Encoding.UTF8, "application/json"));
    }

    /// <summary>Starts an instance, asserts 202, and returns the check-status payload.</summary>
    public static async Task<JsonElement> StartAcceptedAsync(this HttpClient client, string name, string json, string? instanceId = null)
    {
        using var response = await client.StartAsync(name, json, instanceId);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202, got {(int)response.StatusCode}: {body}");
        return Parse(body);
    }

    /// <summary>GET a status URI (absolute or relative).</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> GetStatusAsync(this HttpClient client, string uri)
    {
        using var response = await client.GetAsync(uri);
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, body.Length == 0 ? default : Parse(body));
    }

    /// <summary>Polls <paramref name="statusUri"/> until <paramref name="done"/> holds; fails after <paramref name="timeout"/> with the last status.</summary>
    public static async Task<JsonElement> WaitForStatusAsync(this HttpClient client, string statusUri,
        Func<HttpStatusCode, JsonElement, bool> done, TimeSpan? timeout = null, string what = "the expected state")
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(20);
        (HttpStatusCode Status, JsonElement Body) last = default;
        while (clock.Elapsed < limit)
        {
            last = await client.GetStatusAsync(statusUri);
            if (done(last.Status, last.Body)) return last.Body;
            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 1.5, 250));
        }
        throw new TimeoutException($"{statusUri} did not reach {what} within {limit}. Last: {(int)last.Status} {Raw(last.Body)}");
    }

    /// <summary>Polls until the status URI answers 200 (finished) and returns the status.</summary>
    public static Task<JsonElement> WaitForFinishAsync(this HttpClient client, string statusUri, TimeSpan? timeout = null)
        => client.WaitForStatusAsync(statusUri, (code, _) => code == HttpStatusCode.OK, timeout, "a finished state (200)");

    /// <summary>Polls until runtimeStatus is <paramref name="runtimeStatus"/>.</summary>
    public static Task<JsonElement> WaitForRuntimeStatusAsync(this HttpClient client, string statusUri, string runtimeStatus, TimeSpan? timeout = null)
        => client.WaitForStatusAsync(statusUri,
            (_, body) => body.ValueKind == JsonValueKind.Object && body.GetProperty("runtimeStatus").GetString() == runtimeStatus,
            timeout, $"runtimeStatus {runtimeStatus}");

    /// <summary>Reads JSON text.</summary>
    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>The JSON text of an element (for messages and comparisons).</summary>
    public static string Raw(JsonElement element) => element.ValueKind == JsonValueKind.Undefined ? "(no body)" : element.GetRawText();

    /// <summary>customStatus.completed, or -1 when there is none.</summary>
    public static int ProgressOf(JsonElement status)
        => status.TryGetProperty("customStatus", out var custom) && custom.ValueKind == JsonValueKind.Object
           && custom.TryGetProperty("completed", out var completed) ? completed.GetInt32() : -1;
}
