using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Pipeline.Host.Tests.Durable;

/// <summary>
/// Drives the test app's durable functions through a host: starts orchestrations with the app's
/// <c>[DurableClient]</c> HTTP functions (function key) and reads instances through the host's management API
/// (master key).
/// </summary>
public sealed class DurableClient(HostProcess host) : IDisposable
{
    private readonly HttpClient _functions = host.CreateClient(host.FunctionKey);
    private readonly HttpClient _admin = CreateAdmin(host);

    /// <summary>The host.</summary>
    public HostProcess Host => host;

    /// <summary>A client with the master key on the host's root (management routes).</summary>
    public HttpClient Admin => _admin;

    /// <summary>A client with the function key on the test app's route prefix.</summary>
    public HttpClient Functions => _functions;

    /// <summary>Starts <paramref name="name"/> through the app's DurableStart function; returns the instance id.</summary>
    public async Task<string> StartAsync(string name, object? input = null, string? query = null)
    {
        using var response = await _functions.PostAsync($"durable/start/{name}{query}", Json(input));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Runs <paramref name="name"/> through the app's DurableRun function (the client waits); returns its state.</summary>
    public async Task<JsonElement> RunAsync(string name, object? input = null)
    {
        using var response = await _functions.PostAsync($"durable/run/{name}", Json(input));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Raises an event through the app's DurableRaise function (the client).</summary>
    public async Task RaiseAsync(string instanceId, string eventName, object? payload)
    {
        using var response = await _functions.PostAsync($"durable/instances/{instanceId}/raise/{eventName}", Json(payload));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    /// <summary>The instance's status from the management API (null when 404).</summary>
    public async Task<JsonElement?> StatusAsync(string instanceId, string? query = null)
    {
        using var response = await _admin.GetAsync($"runtime/webhooks/durabletask/instances/{instanceId}{query}");
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {text}");
        var status = JsonDocument.Parse(text).RootElement.Clone();
        // 200 exactly when finished.
        var finished = status.GetProperty("runtimeStatus").GetString() is "Completed" or "Failed" or "Terminated";
        Assert.Equal(finished ? HttpStatusCode.OK : HttpStatusCode.Accepted, response.StatusCode);
        return status;
    }

    /// <summary>Polls the management API until <paramref name="condition"/> holds for the instance's status; returns it.</summary>
    public async Task<JsonElement> WaitForAsync(string instanceId, Func<JsonElement, bool> condition, string what, TimeSpan? timeout = null, string? query = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        while (true)
        {
            var status = await StatusAsync(instanceId, query);
            if (status is { } s && condition(s)) return s;
            if (clock.Elapsed > limit) throw new TimeoutException($"{instanceId}: {what} not within {limit}; last status {status}. Host output:\n{host.Process.Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until the instance has finished (Completed, Failed or Terminated); returns its status.</summary>
    public Task<JsonElement> WaitForFinishAsync(string instanceId, TimeSpan? timeout = null)
        => WaitForAsync(instanceId, s => s.GetProperty("runtimeStatus").GetString() is "Completed" or "Failed" or "Terminated", "finished", timeout);

    /// <summary>The host status.</summary>
    public async Task<JsonElement> HostStatusAsync() => JsonDocument.Parse(await _admin.GetStringAsync("admin/host/status")).RootElement.Clone();

    /// <summary>A JSON body (or none).</summary>
    public static HttpContent Json(object? value)
        => new StringContent(value is null ? "" : JsonSerializer.Serialize(value, JsonSerializerOptions.Web), Encoding.UTF8, "application/json");

    /// <inheritdoc/>
    public void Dispose()
    {
        _functions.Dispose();
        _admin.Dispose();
    }

    private static HttpClient CreateAdmin(HostProcess host)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.Port}/"), Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Add("x-functions-key", host.MasterKey);
        return client;
    }
}
