namespace Pipeline.Host.Http;

/// <summary>Titles a person can act on for the problems ASP.NET Core writes itself (routing's 404/405, unhandled errors).</summary>
internal static class HostProblemDetails
{
    /// <summary>Fills in the problem before it is written.</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        switch (context.ProblemDetails.Status)
        {
            case StatusCodes.Status404NotFound:
                context.ProblemDetails.Title = HttpProblems.NotFoundTitle;
                context.ProblemDetails.Detail ??= "Check the path (and the route prefix) against the app's functions.";
                break;
            case StatusCodes.Status405MethodNotAllowed:
                context.ProblemDetails.Title = HttpProblems.MethodNotAllowedTitle;
                var allow = context.HttpContext.Response.Headers.Allow.ToString();
                context.ProblemDetails.Detail ??= allow.Length > 0 ? $"Use one of: {allow}." : null;
                break;
            case StatusCodes.Status500InternalServerError when context.Exception is not null:
                // Never the exception itself (it may name internals); the log has it under the trace id.
                context.ProblemDetails.Title = "The host failed while handling the request";
                context.ProblemDetails.Detail = "Retry later. If it keeps failing, give the traceId to the operator: the host's log has the error under it.";
                break;
        }
    }
}
