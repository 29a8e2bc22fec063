using Microsoft.AspNetCore.Http.HttpResults;

namespace Pipeline.Host.Http;

/// <summary>
/// The RFC 9457 problems the host itself answers with (the functions' own answers pass through untouched). Titles
/// say what to do; nothing names files, keys or internals.
/// </summary>
public static class HttpProblems
{
    /// <summary>401: no key, or a key that does not pass the function's auth level.</summary>
    public static ProblemHttpResult MissingOrWrongKey() => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Missing or wrong function key",
        detail: "Send a key that this function accepts in the x-functions-key header (or the code query parameter).");

    /// <summary>404: no function has a route matching the path.</summary>
    public static string NotFoundTitle => "No function answers this path";

    /// <summary>405: a function has this route but not this method.</summary>
    public static string MethodNotAllowedTitle => "This function does not accept this HTTP method";

    /// <summary>413: the body is larger than <c>pipeline.host.maxRequestBodyBytes</c>.</summary>
    public static ProblemHttpResult BodyTooLarge(long limit) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "The request body is too large",
        detail: $"This host accepts request bodies of at most {limit} bytes.");

    /// <summary>503: no worker is ready (starting or restarting), or the host is stopping.</summary>
    public static ProblemHttpResult WorkerUnavailable(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "The function app is not available right now; retry shortly",
        detail: detail);

    /// <summary>500: the function ran longer than functionTimeout.</summary>
    public static ProblemHttpResult FunctionTimedOut(string functionName, TimeSpan timeout) => TypedResults.Problem(
        statusCode: StatusCodes.Status500InternalServerError,
        title: $"Function '{functionName}' timed out",
        detail: $"It ran longer than the host's functionTimeout ({timeout:c}) and was cancelled.");

    /// <summary>500: the function failed (threw). The exception stays in the log: it may name internals.</summary>
    public static ProblemHttpResult FunctionFailed(string functionName, string invocationId) => TypedResults.Problem(
        statusCode: StatusCodes.Status500InternalServerError,
        title: $"Function '{functionName}' failed",
        detail: $"The host's log has the error under invocation {invocationId}.");

    /// <summary>502: the worker did not answer the forwarded request properly.</summary>
    public static ProblemHttpResult WorkerDidNotAnswer(string functionName) => TypedResults.Problem(
        statusCode: StatusCodes.Status502BadGateway,
        title: $"Function '{functionName}' gave no HTTP response",
        detail: "The worker did not answer the request; the host's log has the reason. Retry later.");
}
