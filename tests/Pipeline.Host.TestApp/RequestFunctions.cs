using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Pipeline.Host.TestApp;

/// <summary>What the function sees of the request, and answers of every shape.</summary>
public sealed class RequestFunctions
{
    /// <summary>Echoes the request as the function sees it: method, path, query, headers, cookies, client address, scheme and host.</summary>
    [Function("Echo")]
    public IResult Echo([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "delete", "patch", Route = "echo/{*rest}")] HttpRequest request)
        => Results.Json(new
        {
            method = request.Method,
            path = request.Path.Value,
            queryString = request.QueryString.Value,
            query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToArray()),
            headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToArray()),
            cookies = request.Cookies.ToDictionary(c => c.Key, c => c.Value),
            remoteIp = request.HttpContext.Connection.RemoteIpAddress?.ToString(),
            scheme = request.Scheme,
            host = request.Host.Value,
        });

    /// <summary>Answers with the status code asked for, a custom header, two Set-Cookie headers and a body.</summary>
    [Function("Status")]
    public IResult Status([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "status/{code:int:range(200,599)}")] HttpRequest request, int code)
    {
        request.HttpContext.Response.Headers["x-test-app"] = "status";
        request.HttpContext.Response.Cookies.Append("first", "1");
        request.HttpContext.Response.Cookies.Append("second", "2");
        return Results.Text($"status {code}", statusCode: code);
    }

    /// <summary>Answers with an RFC 9457 problem of its own (422), which must pass through the host untouched.</summary>
    [Function("Problem")]
    public IResult Problem([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "problem")] HttpRequest request)
        => TypedResults.Problem(title: "The test app refuses this", detail: "on purpose", statusCode: StatusCodes.Status422UnprocessableEntity);

    /// <summary>No content.</summary>
    [Function("NoContent")]
    public IResult Empty([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "nothing")] HttpRequest request)
        => Results.NoContent();

    /// <summary>The worker's process id, to tell one worker from the next.</summary>
    [Function("Pid")]
    public IResult Pid([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "pid")] HttpRequest request)
        => Results.Text(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Environment values the host sets for the worker.</summary>
    [Function("Environment")]
    public IResult WorkerEnvironment([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "environment/{name}")] HttpRequest request, string name)
        => Results.Text(Environment.GetEnvironmentVariable(name) ?? "(unset)");
}
