using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Pipeline.Functions.Http;

/// <summary>
/// The RFC 9457 problems the HTTP API answers with. Each title says what to do about it; the detail
/// names the thing concerned.
/// </summary>
public static class ApiProblems
{
    /// <summary>401: no key, or not the admin key.</summary>
    public static ProblemHttpResult MissingOrWrongApiKey(string keyFilePath) => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Missing or wrong API key",
        detail: $"Send the header {ApiKeyMiddleware.HeaderName} with the admin key stored in {keyFilePath}.");

    /// <summary>400: the body is not JSON.</summary>
    public static ProblemHttpResult InvalidJson(JsonException error) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "The request body is not valid JSON",
        detail: $"Send a JSON value (or an empty body). {error.Message}");

    /// <summary>400: a parameter or input value is out of range or malformed.</summary>
    public static ProblemHttpResult InvalidInput(string title, string? detail = null) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: title,
        detail: detail);

    /// <summary>404: no orchestrator with that name.</summary>
    public static ProblemHttpResult UnknownOrchestrator(string name, IEnumerable<string> known) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: $"No orchestrator named '{name}'",
        detail: $"Start one of: {string.Join(", ", known.Order(StringComparer.Ordinal))}.");

    /// <summary>404: no instance with that id.</summary>
    public static ProblemHttpResult InstanceNotFound(string instanceId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: $"No orchestration instance '{instanceId}'",
        detail: "Check the instance id; purged instances are gone for good.");

    /// <summary>410: the instance has finished and takes no more events or commands.</summary>
    public static ProblemHttpResult InstanceFinished(string instanceId) => TypedResults.Problem(
        statusCode: StatusCodes.Status410Gone,
        title: $"Orchestration instance '{instanceId}' has already finished",
        detail: "A finished instance takes no events, terminate, suspend or resume requests. Start a new instance instead.");

    /// <summary>409: starting an instance whose id is taken by one still running.</summary>
    public static ProblemHttpResult InstanceAlreadyRunning(string instanceId) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: $"Orchestration instance '{instanceId}' already exists and is still running",
        detail: "Use another instance id, or terminate the running instance (it can be replaced once finished).");

    /// <summary>409: purging an instance that has not finished.</summary>
    public static ProblemHttpResult InstanceStillRunning(string instanceId) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: $"Orchestration instance '{instanceId}' is still running and cannot be purged",
        detail: "Terminate it first, or wait until it has finished.");
}
