using System.Globalization;
using System.Text;
using System.Text.Json;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;
using Grpc.Core;
using Microsoft.AspNetCore.Http.HttpResults;
using Pipeline.Host.Http;
using Pipeline.Host.Worker;
using P = Microsoft.DurableTask.Protobuf;

namespace Pipeline.Host.Durable;

/// <summary>
/// Durable Functions' HTTP management API (docs/API.md "Durable management"), served by the host over the sidecar's
/// client RPCs, so it works the same for every store: <c>POST /api/orchestrators/{name}[/{instanceId}]</c> (function
/// key) starts a <em>public</em> orchestration (host.json <c>managementApi.publicOrchestrations</c>);
/// <c>/runtime/webhooks/durabletask/instances…</c> (master key) reads, lists, signals, terminates, suspends,
/// resumes, rewinds and purges instances. Every route that changes an instance refuses (403) one whose orchestration
/// is not public: internal workflows are driven by the app only.
/// </summary>
internal static class DurableManagementApi
{
    /// <summary>Base path of the instance routes.</summary>
    public const string InstancesPath = "/runtime/webhooks/durabletask/instances";

    /// <summary>Header carrying the next-page token of instance lists, in both directions.</summary>
    public const string ContinuationTokenHeader = "x-ms-continuation-token";

    /// <summary>Largest page of an instance list.</summary>
    public const int MaxPageSize = 1000;

    private const int DefaultPageSize = 100;
    private const int MaxInstanceIdLength = 256;

    /// <summary>Maps the routes.</summary>
    public static void Map(WebApplication app)
    {
        app.MapPost("/api/orchestrators/{name}/{instanceId?}", StartAsync).RequireAuthLevel(AuthLevel.Function);
        var instances = app.MapGroup(InstancesPath).RequireAuthLevel(AuthLevel.Admin);
        instances.MapGet("", ListAsync);
        instances.MapGet("/{instanceId}", GetAsync);
        instances.MapPost("/{instanceId}/raiseEvent/{eventName}", RaiseEventAsync);
        instances.MapPost("/{instanceId}/terminate", (string instanceId, string? reason, HttpRequest request, SidecarClient sidecar, DurableHostOptions options, CancellationToken ct)
            => SendAsync(request, sidecar, options, instanceId, "terminate", c => c.TerminateInstanceAsync(new P.TerminateRequest { InstanceId = instanceId, Output = JsonString(reason) }, cancellationToken: ct).ResponseAsync, ct));
        instances.MapPost("/{instanceId}/suspend", (string instanceId, string? reason, HttpRequest request, SidecarClient sidecar, DurableHostOptions options, CancellationToken ct)
            => SendAsync(request, sidecar, options, instanceId, "suspend", c => c.SuspendInstanceAsync(new P.SuspendRequest { InstanceId = instanceId, Reason = reason }, cancellationToken: ct).ResponseAsync, ct));
        instances.MapPost("/{instanceId}/resume", (string instanceId, string? reason, HttpRequest request, SidecarClient sidecar, DurableHostOptions options, CancellationToken ct)
            => SendAsync(request, sidecar, options, instanceId, "resume", c => c.ResumeInstanceAsync(new P.ResumeRequest { InstanceId = instanceId, Reason = reason }, cancellationToken: ct).ResponseAsync, ct));
        instances.MapPost("/{instanceId}/rewind", (string instanceId, string? reason, HttpRequest request, SidecarClient sidecar, DurableHostOptions options, CancellationToken ct)
            => SendAsync(request, sidecar, options, instanceId, "rewind", c => c.RewindInstanceAsync(new P.RewindInstanceRequest { InstanceId = instanceId, Reason = reason }, cancellationToken: ct).ResponseAsync, ct));
        instances.MapDelete("/{instanceId}", PurgeAsync);
    }

    /// <summary>The absolute status URI of an instance, from the request's scheme and host.</summary>
    public static string InstanceUri(HttpRequest request, string instanceId)
        => $"{request.Scheme}://{request.Host}{request.PathBase}{InstancesPath}/{Uri.EscapeDataString(instanceId)}";

    private static async Task<IResult> StartAsync(string name, string? instanceId, HttpRequest request, SidecarClient sidecar, DurableHostOptions options,
        IWorkerLifecycle worker, CancellationToken ct)
    {
        if (!options.IsPublic(name)) return ManagementProblems.NotPublicStart(name, options.PublicOrchestrations);
        var function = worker.Current?.Functions.FirstOrDefault(f => f.IsTriggeredBy(DurableBridge.OrchestrationTrigger) && string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
        if (worker.Current is not null && function is null) return ManagementProblems.UnknownOrchestrator(name, options.PublicOrchestrations);
        if (instanceId is not null && (instanceId.Length > MaxInstanceIdLength || instanceId.Any(char.IsControl)))
            return ManagementProblems.InvalidInput($"Instance ids must be 1 to {MaxInstanceIdLength} characters long, without control characters");

        var body = await JsonBody.ReadAsync(request, ct).ConfigureAwait(false);
        if (body.Error is not null) return ManagementProblems.InvalidJson(body.Error);
        var id = instanceId ?? Guid.NewGuid().ToString("N");
        try
        {
            await sidecar.Client.StartInstanceAsync(new P.CreateInstanceRequest { InstanceId = id, Name = function?.Name ?? name, Input = body.Text }, cancellationToken: ct).ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            return ManagementProblems.InstanceAlreadyRunning(id);
        }
        var links = CheckStatusResponse.For(request, id);
        return TypedResults.Accepted(links.StatusQueryGetUri, links);
    }

    private static async Task<IResult> GetAsync(string instanceId, string? showHistory, string? showInput, HttpRequest request, SidecarClient sidecar, CancellationToken ct)
    {
        if (!TryReadFlag(showHistory, false, out var withHistory)) return ManagementProblems.InvalidInput("showHistory must be true or false");
        if (!TryReadFlag(showInput, true, out var withInput)) return ManagementProblems.InvalidInput("showInput must be true or false");
        var response = await sidecar.Client.GetInstanceAsync(new P.GetInstanceRequest { InstanceId = instanceId, GetInputsAndOutputs = true }, cancellationToken: ct).ResponseAsync.ConfigureAwait(false);
        if (!response.Exists) return ManagementProblems.InstanceNotFound(instanceId);
        IReadOnlyList<P.HistoryEvent>? history = null;
        if (withHistory)
        {
            var events = new List<P.HistoryEvent>();
            using var call = sidecar.Client.StreamInstanceHistory(new P.StreamInstanceHistoryRequest { InstanceId = instanceId, ExecutionId = response.OrchestrationState.ExecutionId }, cancellationToken: ct);
            while (await call.ResponseStream.MoveNext(ct).ConfigureAwait(false)) events.AddRange(call.ResponseStream.Current.Events);
            history = events;
        }
        var status = InstanceStatusResponse.From(response.OrchestrationState, withInput, history);
        return IsFinished(response.OrchestrationState.OrchestrationStatus)
            ? TypedResults.Ok(status)
            : TypedResults.Accepted(InstanceUri(request, instanceId), status);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, HttpResponse response, SidecarClient sidecar, CancellationToken ct)
    {
        var query = request.Query;
        var statusNames = Enum.GetNames<P.OrchestrationStatus>();
        var filter = new P.InstanceQuery { FetchInputsAndOutputs = true };
        foreach (var name in query["runtimeStatus"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!Enum.TryParse<P.OrchestrationStatus>(name, ignoreCase: true, out var status) || !char.IsLetter(name[0]))
                return ManagementProblems.InvalidInput($"runtimeStatus must be a comma-separated list of {string.Join(", ", statusNames)}", $"'{name}' is not a runtime status.");
            filter.RuntimeStatus.Add(status);
        }
        if (!TryReadTime(query["createdTimeFrom"], out var from)) return ManagementProblems.InvalidInput("createdTimeFrom must be a UTC ISO 8601 time, e.g. 2025-01-31T00:00:00Z");
        if (!TryReadTime(query["createdTimeTo"], out var to)) return ManagementProblems.InvalidInput("createdTimeTo must be a UTC ISO 8601 time, e.g. 2025-01-31T00:00:00Z");
        if (from is not null) filter.CreatedTimeFrom = Timestamp.FromDateTime(from.Value);
        if (to is not null) filter.CreatedTimeTo = Timestamp.FromDateTime(to.Value);
        var pageSize = DefaultPageSize;
        var top = query["top"].ToString();
        if (top.Length > 0 && (!int.TryParse(top, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > MaxPageSize))
            return ManagementProblems.InvalidInput($"top must be between 1 and {MaxPageSize}");
        filter.MaxInstanceCount = pageSize;
        if (!TryReadFlag(query["showInput"], true, out var withInput)) return ManagementProblems.InvalidInput("showInput must be true or false");
        var prefix = query["instanceIdPrefix"].ToString();
        if (prefix.Length > 0) filter.InstanceIdPrefix = prefix;
        var token = request.Headers[ContinuationTokenHeader].ToString();
        if (token.Length > 0) filter.ContinuationToken = token;

        P.QueryInstancesResponse page;
        try
        {
            page = await sidecar.Client.QueryInstancesAsync(new P.QueryInstancesRequest { Query = filter }, cancellationToken: ct).ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e) when (token.Length > 0 && e.StatusCode is StatusCode.InvalidArgument or StatusCode.Unknown)
        {
            return ManagementProblems.InvalidInput($"The {ContinuationTokenHeader} header is not a token this API gave out",
                "Send back the header value from the previous page unchanged, or omit it to start from the first page.");
        }
        if (!string.IsNullOrEmpty(page.ContinuationToken)) response.Headers[ContinuationTokenHeader] = page.ContinuationToken;
        return TypedResults.Ok(page.OrchestrationState.Select(s => InstanceStatusResponse.From(s, withInput)).ToList());
    }

    private static async Task<IResult> RaiseEventAsync(string instanceId, string eventName, HttpRequest request, SidecarClient sidecar, DurableHostOptions options, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(request, ct).ConfigureAwait(false);
        if (body.Error is not null) return ManagementProblems.InvalidJson(body.Error);
        return await SendAsync(request, sidecar, options, instanceId, $"raise event '{eventName}' to",
            c => c.RaiseEventAsync(new P.RaiseEventRequest { InstanceId = instanceId, Name = eventName, Input = body.Text }, cancellationToken: ct).ResponseAsync, ct).ConfigureAwait(false);
    }

    private static async Task<IResult> PurgeAsync(string instanceId, SidecarClient sidecar, DurableHostOptions options, CancellationToken ct)
    {
        var (state, refusal) = await RequirePublicAsync(sidecar, options, instanceId, "purge", ct).ConfigureAwait(false);
        if (refusal is not null) return refusal;
        if (!IsFinished(state!.OrchestrationStatus)) return ManagementProblems.InstanceStillRunning(instanceId);
        P.PurgeInstancesResponse purged;
        try
        {
            purged = await sidecar.Client.PurgeInstancesAsync(new P.PurgeInstancesRequest { InstanceId = instanceId }, cancellationToken: ct).ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
        {
            return ManagementProblems.InstanceStillRunning(instanceId); // restarted between the check and the purge
        }
        return purged.DeletedInstanceCount > 0 ? TypedResults.Ok(new PurgeHistoryResponse(purged.DeletedInstanceCount)) : ManagementProblems.InstanceNotFound(instanceId);
    }

    /// <summary>Checks the instance is public, then sends; 202, or 403/404/409/410 problems.</summary>
    private static async Task<IResult> SendAsync(HttpRequest request, SidecarClient sidecar, DurableHostOptions options, string instanceId, string what,
        Func<P.TaskHubSidecarService.TaskHubSidecarServiceClient, Task> send, CancellationToken ct)
    {
        var (state, refusal) = await RequirePublicAsync(sidecar, options, instanceId, what, ct).ConfigureAwait(false);
        if (refusal is not null) return refusal;
        // As Durable Functions answers: a finished instance cannot be terminated, suspended, resumed or signalled (410);
        // the sidecar would accept some of these as no-ops. Only rewind applies to a finished (failed) instance.
        if (what != "rewind" && IsFinished(state!.OrchestrationStatus)) return ManagementProblems.InstanceFinished(instanceId);
        try
        {
            await send(sidecar.Client).ConfigureAwait(false);
            return TypedResults.Accepted(InstanceUri(request, instanceId));
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return ManagementProblems.InstanceNotFound(instanceId);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
        {
            return what == "rewind"
                ? ManagementProblems.NotRewindable(instanceId, state!.OrchestrationStatus.ToString())
                : ManagementProblems.InstanceFinished(instanceId);
        }
    }

    private static async Task<(P.OrchestrationState? State, IResult? Refusal)> RequirePublicAsync(SidecarClient sidecar, DurableHostOptions options, string instanceId, string what, CancellationToken ct)
    {
        var response = await sidecar.Client.GetInstanceAsync(new P.GetInstanceRequest { InstanceId = instanceId }, cancellationToken: ct).ResponseAsync.ConfigureAwait(false);
        if (!response.Exists) return (null, ManagementProblems.InstanceNotFound(instanceId));
        var name = response.OrchestrationState.Name;
        return options.IsPublic(name) ? (response.OrchestrationState, null) : (null, ManagementProblems.NotPublicInstance(instanceId, name, what));
    }

    internal static bool IsFinished(P.OrchestrationStatus status)
        => status is P.OrchestrationStatus.Completed or P.OrchestrationStatus.Failed or P.OrchestrationStatus.Terminated or P.OrchestrationStatus.Canceled;

    /// <summary>A terminate reason as the JSON string Durable Functions stores as the output.</summary>
    private static string? JsonString(string? reason) => reason is null ? null : JsonSerializer.Serialize(reason);

    private static bool TryReadFlag(string? text, bool absent, out bool flag)
    {
        flag = absent;
        return string.IsNullOrWhiteSpace(text) || bool.TryParse(text, out flag);
    }

    private static bool TryReadTime(string? text, out DateTime? time)
    {
        time = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)) return false;
        time = parsed;
        return true;
    }

    /// <summary>A request body that must be JSON when present: its exact text (stored verbatim).</summary>
    private sealed record JsonBody(string? Text, JsonException? Error)
    {
        public static async Task<JsonBody> ReadAsync(HttpRequest request, CancellationToken ct)
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var text = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
            if (string.IsNullOrWhiteSpace(text)) return new JsonBody(null, null);
            try
            {
                using var _ = JsonDocument.Parse(text);
                return new JsonBody(text, null);
            }
            catch (JsonException e)
            {
                return new JsonBody(text, e);
            }
        }
    }
}

/// <summary>Answer to a purge.</summary>
/// <param name="InstancesDeleted">How many instances were deleted.</param>
internal sealed record PurgeHistoryResponse(int InstancesDeleted);
