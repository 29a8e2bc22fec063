namespace Pipeline.Functions.Web;

/// <summary>
/// Sends a <see cref="WebAssetResponse"/> as an ASP.NET Core result — from a minimal-API endpoint or from an
/// HTTP-triggered function on the ASP.NET Core integration: its status and headers, the file's bytes on a 200 (none for
/// <c>HEAD</c>), and on a 404 a problem (RFC 9457) a person can act on.
/// </summary>
public sealed class WebAssetResult(WebAssetResponse response) : IResult
{
    /// <inheritdoc />
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var http = httpContext.Response;
        foreach (var (name, value) in response.Headers) http.Headers[name] = value;
        switch (response.StatusCode)
        {
            case StatusCodes.Status200OK:
                http.StatusCode = StatusCodes.Status200OK;
                http.ContentLength = response.Body.Length;
                if (!HttpMethods.IsHead(httpContext.Request.Method)) await http.Body.WriteAsync(response.Body, httpContext.RequestAborted);
                break;
            case StatusCodes.Status404NotFound:
                await Results.Problem(
                    title: "There is no page or file at this address",
                    detail: "Check the address. The clerk's page is at /, the secretary's at /secretary.",
                    statusCode: StatusCodes.Status404NotFound).ExecuteAsync(httpContext);
                break;
            default:
                http.StatusCode = response.StatusCode;
                break;
        }
    }
}
