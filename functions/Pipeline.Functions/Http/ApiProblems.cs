using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Pipeline.Functions.Http;

/// <summary>
/// The RFC 9457 problems the app's HTTP functions answer with. Each title says what to do about it; the detail
/// names the thing concerned. (A missing or wrong key never reaches the app: the host answers it, see API.md.)
/// </summary>
public static class ApiProblems
{
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
}
