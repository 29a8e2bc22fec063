using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Pipeline.Durable;
using Pipeline.Durable.Storage;
using Pipeline.Functions.Http;

namespace Pipeline.Functions.Durable;

/// <summary>
/// Durable Functions' HTTP management API (API.md "Durable management"): start an orchestration, then
/// query, signal, terminate, suspend, resume and purge instances, with the same routes and JSON shapes
/// as Azure Durable Functions so existing clients and tooling work unchanged.
/// </summary>
public static class DurableManagementApi
{
    /// <summary>Base path of the instance routes.</summary>
    public const string InstancesPath = "/runtime/webhooks/durabletask/instances";

    /// <summary>Header carrying the next-page token of instance lists, in both directions.</summary>
    public const string ContinuationTokenHeader = "x-ms-continuation-token";

    /// <summary>Largest page of an instance list.</summary>
    public const int MaxPageSize = 1000;

    private const int DefaultPageSize = 100;
    private const int MaxInstanceIdLength = 256;

    /// <summary>Maps the management routes.</summary>
    public static IEndpointRouteBuilder MapDurableManagementApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/orchestrators/{name}/{instanceId?}", StartOrchestration)
            .WithTags("Durable")
            .WithName("StartOrchestration")
            .WithSummary("Starts an orchestration with the request body as its input; answers with its management links.");

        var instances = app.MapGroup(InstancesPath).WithTags("Durable");
        instances.MapGet("", ListInstances)
            .WithName("ListInstances")
            .WithSummary("Lists instances, newest first, filtered by status, creation time and id prefix; paged with x-ms-continuation-token.");
        instances.MapGet("/{instanceId}", GetInstanceStatus)
            .WithName("GetInstanceStatus")
            .WithSummary("An instance's status: 200 once finished, 202 while pending, running or suspended.");
        instances.MapPost("/{instanceId}/raiseEvent/{eventName}", RaiseEvent)
            .WithName("RaiseEvent")
            .WithSummary("Sends an external event (JSON body) to an instance; it is kept until the instance waits for it.");
        instances.MapPost("/{instanceId}/terminate", TerminateInstance)
            .WithName("TerminateInstance")
            .WithSummary("Stops an instance; it ends Terminated with the reason as its output.");
        instances.MapPost("/{instanceId}/suspend", SuspendInstance)
            .WithName("SuspendInstance")
            .WithSummary("Pauses an instance; events and results wait until it is resumed.");
        instances.MapPost("/{instanceId}/resume", ResumeInstance)
            .WithName("ResumeInstance")
            .WithSummary("Resumes a suspended instance.");
        instances.MapDelete("/{instanceId}", PurgeInstance)
            .WithName("PurgeInstanceHistory")
            .WithSummary("Deletes a finished instance and its history.");
        return app;
    }

    /// <summary>The absolute status URI of an instance, from the request's scheme and host.</summary>
    public static string InstanceUri(HttpRequest request, string instanceId)
        => $"{request.Scheme}://{request.Host}{request.PathBase}{InstancesPath}/{Uri.EscapeDataString(instanceId)}";

    private static async Task<Results<Accepted<CheckStatusResponse>, ProblemHttpResult>> StartOrchestration(
        string name, string? instanceId, HttpRequest request, [AsParameters] DurableApiServices services, CancellationToken ct)
    {
        var orchestrator = services.Registry.OrchestratorNames.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        if (orchestrator is null) return ApiProblems.UnknownOrchestrator(name, services.Registry.OrchestratorNames);

        if (instanceId is not null && (instanceId.Length > MaxInstanceIdLength || instanceId.Any(char.IsControl)))
            return ApiProblems.InvalidInput($"Instance ids must be 1 to {MaxInstanceIdLength} characters long, without control characters");

        var body = await JsonBody.ReadAsync(request, ct);
        if (body.Error is not null) return ApiProblems.InvalidJson(body.Error);

        foreach (var validator in services.InputValidators)
        {
            if (!string.Equals(validator.OrchestratorName, orchestrator, StringComparison.OrdinalIgnoreCase)) continue;
            if (validator.Validate(body.Value) is { } error) return ApiProblems.InvalidInput(error.Title, error.Detail);
        }

        try
        {
            var id = await services.Client.ScheduleNewOrchestrationInstanceAsync(
                orchestrator, body.AsInput(), new StartOrchestrationOptions(instanceId), ct);
            var links = CheckStatusResponse.For(request, id);
            return TypedResults.Accepted(links.StatusQueryGetUri, links);
        }
        catch (OrchestrationAlreadyExistsException)
        {
            return ApiProblems.InstanceAlreadyRunning(instanceId!);
        }
    }

    private static async Task<Results<Ok<InstanceStatusResponse>, Accepted<InstanceStatusResponse>, ProblemHttpResult>> GetInstanceStatus(
        string instanceId, string? showHistory, string? showInput, HttpRequest request, [FromServices] DurableTaskClient client, CancellationToken ct)
    {
        if (!TryReadFlag(showHistory, false, out var withHistory)) return ApiProblems.InvalidInput("showHistory must be true or false");
        if (!TryReadFlag(showInput, true, out var withInput)) return ApiProblems.InvalidInput("showInput must be true or false");

        var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, ct);
        if (instance is null) return ApiProblems.InstanceNotFound(instanceId);

        var history = withHistory ? await client.GetHistoryAsync(instanceId, ct) : null;
        var status = InstanceStatusResponse.From(instance, withInput, history);
        return instance.IsCompleted
            ? TypedResults.Ok(status)
            : TypedResults.Accepted(InstanceUri(request, instanceId), status);
    }

    private static async Task<Results<Ok<List<InstanceStatusResponse>>, ProblemHttpResult>> ListInstances(
        HttpRequest request, HttpResponse response, [FromServices] DurableTaskClient client, CancellationToken ct)
    {
        var query = request.Query;
        var statuses = new List<OrchestrationRuntimeStatus>();
        foreach (var name in query["runtimeStatus"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!Enum.TryParse<OrchestrationRuntimeStatus>(name, ignoreCase: true, out var status) || !char.IsLetter(name[0]))
                return ApiProblems.InvalidInput(
                    $"runtimeStatus must be a comma-separated list of {string.Join(", ", Enum.GetNames<OrchestrationRuntimeStatus>())}",
                    $"'{name}' is not a runtime status.");
            statuses.Add(status);
        }

        if (!TryReadTime(query["createdTimeFrom"], out var createdFrom))
            return ApiProblems.InvalidInput("createdTimeFrom must be a UTC ISO 8601 time, e.g. 2025-01-31T00:00:00Z");
        if (!TryReadTime(query["createdTimeTo"], out var createdTo))
            return ApiProblems.InvalidInput("createdTimeTo must be a UTC ISO 8601 time, e.g. 2025-01-31T00:00:00Z");

        var pageSize = DefaultPageSize;
        var top = query["top"].ToString();
        if (top.Length > 0 && (!int.TryParse(top, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > MaxPageSize))
            return ApiProblems.InvalidInput($"top must be between 1 and {MaxPageSize}");

        if (!TryReadFlag(query["showInput"], true, out var withInput)) return ApiProblems.InvalidInput("showInput must be true or false");
        var prefix = query["instanceIdPrefix"].ToString();
        var token = request.Headers[ContinuationTokenHeader].ToString();

        OrchestrationQueryResult page;
        try
        {
            page = await client.GetInstancesPageAsync(new OrchestrationQuery
            {
                Statuses = statuses.Count > 0 ? statuses : null,
                CreatedFrom = createdFrom,
                CreatedTo = createdTo,
                InstanceIdPrefix = prefix.Length > 0 ? prefix : null,
                PageSize = pageSize,
                ContinuationToken = token.Length > 0 ? token : null,
                FetchInputsAndOutputs = true,
            }, ct);
        }
        catch (Exception e) when (token.Length > 0 && e is FormatException or ArgumentException)
        {
            return ApiProblems.InvalidInput(
                $"The {ContinuationTokenHeader} header is not a token this API gave out",
                "Send back the header value from the previous page unchanged, or omit it to start from the first page.");
        }

        if (page.ContinuationToken is not null) response.Headers[ContinuationTokenHeader] = page.ContinuationToken;
        return TypedResults.Ok(page.Instances.Select(i => InstanceStatusResponse.From(i, withInput)).ToList());
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> RaiseEvent(
        string instanceId, string eventName, HttpRequest request, [FromServices] DurableTaskClient client, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(request, ct);
        if (body.Error is not null) return ApiProblems.InvalidJson(body.Error);
        return await SendAsync(request, instanceId, () => client.RaiseEventAsync(instanceId, eventName, body.AsInput(), ct));
    }

    private static Task<Results<Accepted, ProblemHttpResult>> TerminateInstance(
        string instanceId, string? reason, HttpRequest request, [FromServices] DurableTaskClient client, CancellationToken ct)
        => SendAsync(request, instanceId, () => client.TerminateInstanceAsync(instanceId, reason, ct));

    private static Task<Results<Accepted, ProblemHttpResult>> SuspendInstance(
        string instanceId, string? reason, HttpRequest request, [FromServices] DurableTaskClient client, CancellationToken ct)
        => SendAsync(request, instanceId, () => client.SuspendInstanceAsync(instanceId, reason, ct));

    private static Task<Results<Accepted, ProblemHttpResult>> ResumeInstance(
        string instanceId, string? reason, HttpRequest request, [FromServices] DurableTaskClient client, CancellationToken ct)
        => SendAsync(request, instanceId, () => client.ResumeInstanceAsync(instanceId, reason, ct));

    private static async Task<Results<Ok<PurgeHistoryResponse>, ProblemHttpResult>> PurgeInstance(
        string instanceId, [FromServices] DurableTaskClient client, CancellationToken ct)
    {
        var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct);
        if (instance is null) return ApiProblems.InstanceNotFound(instanceId);
        if (instance.IsRunning) return ApiProblems.InstanceStillRunning(instanceId);

        bool deleted;
        try
        {
            deleted = await client.PurgeInstanceAsync(instanceId, ct);
        }
        catch (InvalidOperationException e) when (e is not OrchestrationNotFoundException)
        {
            // Restarted with the same id between the check and the purge.
            return ApiProblems.InstanceStillRunning(instanceId);
        }
        return deleted ? TypedResults.Ok(new PurgeHistoryResponse(1)) : ApiProblems.InstanceNotFound(instanceId);
    }

    /// <summary>Puts a message in an instance's inbox: 202, or 404 / 410 when it cannot take it.</summary>
    private static async Task<Results<Accepted, ProblemHttpResult>> SendAsync(HttpRequest request, string instanceId, Func<Task> send)
    {
        try
        {
            await send();
            return TypedResults.Accepted(InstanceUri(request, instanceId));
        }
        catch (OrchestrationNotFoundException)
        {
            return ApiProblems.InstanceNotFound(instanceId);
        }
        catch (OrchestrationFinishedException)
        {
            return ApiProblems.InstanceFinished(instanceId);
        }
    }

    private static bool TryReadFlag(string? text, bool absent, out bool flag)
    {
        flag = absent;
        return string.IsNullOrWhiteSpace(text) || bool.TryParse(text, out flag);
    }

    private static bool TryReadTime(string? text, out DateTime? time)
    {
        time = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            return false;
        time = parsed;
        return true;
    }

    /// <summary>The services the management handlers use.</summary>
    internal sealed record DurableApiServices(
        [FromServices] DurableTaskClient Client,
        [FromServices] DurableTaskRegistry Registry,
        [FromServices] IEnumerable<OrchestrationInputValidator> InputValidators);

    /// <summary>A request body that must be JSON when present: its text (stored verbatim) and parsed value.</summary>
    private sealed record JsonBody(string? Text, JsonElement? Value, JsonException? Error)
    {
        public static async Task<JsonBody> ReadAsync(HttpRequest request, CancellationToken ct)
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var text = await reader.ReadToEndAsync(ct);
            if (string.IsNullOrWhiteSpace(text)) return new JsonBody(null, null, null);
            try
            {
                using var document = JsonDocument.Parse(text);
                return new JsonBody(text, document.RootElement.Clone(), null);
            }
            catch (JsonException e)
            {
                return new JsonBody(text, null, e);
            }
        }

        /// <summary>The body as engine input, passed through as the exact JSON text; null when empty.</summary>
        public RawJson? AsInput() => Text is null ? null : new RawJson(Text);
    }
}

/// <summary>Answer to a purge.</summary>
/// <param name="InstancesDeleted">How many instances were deleted.</param>
public sealed record PurgeHistoryResponse(int InstancesDeleted);
