using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Pipeline.Host.Durable;

/// <summary>The problems (RFC 9457) of the durable management API; titles as the app's API had them.</summary>
internal static class ManagementProblems
{
    /// <summary>400: the body is not JSON.</summary>
    public static ProblemHttpResult InvalidJson(JsonException error) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "The request body is not valid JSON",
        detail: $"Send a JSON value (or an empty body). {error.Message}");

    /// <summary>400: a parameter is out of range or malformed.</summary>
    public static ProblemHttpResult InvalidInput(string title, string? detail = null) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);

    /// <summary>403: starting an orchestration that is not public.</summary>
    public static ProblemHttpResult NotPublicStart(string name, IEnumerable<string> publicNames) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden,
        title: $"Orchestration '{name}' cannot be started through the management API",
        detail: $"Only the orchestrations listed in host.json extensions.durableTask.managementApi.publicOrchestrations can be started here ({Names(publicNames)}); internal workflows are started by the app itself.");

    /// <summary>403: changing an instance of an orchestration that is not public.</summary>
    public static ProblemHttpResult NotPublicInstance(string instanceId, string name, string what) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden,
        title: $"Orchestration instance '{instanceId}' is an internal workflow ({name}); the management API cannot {what} it",
        detail: "Only instances of the orchestrations listed in host.json extensions.durableTask.managementApi.publicOrchestrations can be signalled, terminated, suspended, resumed, rewound or purged here; internal workflows change only through the app's own endpoints.");

    /// <summary>404: a public orchestration the worker does not have.</summary>
    public static ProblemHttpResult UnknownOrchestrator(string name, IEnumerable<string> publicNames) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: $"No orchestrator named '{name}'",
        detail: $"Start one of: {Names(publicNames)}.");

    /// <summary>404: no instance with that id.</summary>
    public static ProblemHttpResult InstanceNotFound(string instanceId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: $"No orchestration instance '{instanceId}'",
        detail: "Check the instance id; purged instances are gone for good.");

    /// <summary>410: the instance has finished.</summary>
    public static ProblemHttpResult InstanceFinished(string instanceId) => TypedResults.Problem(
        statusCode: StatusCodes.Status410Gone,
        title: $"Orchestration instance '{instanceId}' has already finished",
        detail: "A finished instance takes no events, terminate, suspend or resume requests. Start a new instance instead.");

    /// <summary>409: the id is taken by an instance still running.</summary>
    public static ProblemHttpResult InstanceAlreadyRunning(string instanceId) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: $"Orchestration instance '{instanceId}' already exists and is still running",
        detail: "Use another instance id, or terminate the running instance (it can be replaced once finished).");

    /// <summary>409: purging an instance that has not finished.</summary>
    public static ProblemHttpResult InstanceStillRunning(string instanceId) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: $"Orchestration instance '{instanceId}' is still running and cannot be purged",
        detail: "Terminate it first, or wait until it has finished.");

    /// <summary>409: rewinding an instance that has not failed.</summary>
    public static ProblemHttpResult NotRewindable(string instanceId, string status) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: $"Orchestration instance '{instanceId}' has not failed and cannot be rewound",
        detail: $"Only a failed instance can be rewound; this one is {status}.");

    private static string Names(IEnumerable<string> names)
    {
        var list = names.Order(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? "none is configured" : string.Join(", ", list);
    }
}
