using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Pipeline.Host.TestApp;

/// <summary>One function per auth level.</summary>
public sealed class AuthFunctions
{
    /// <summary>Needs a function key or the master key.</summary>
    [Function("FunctionLevel")]
    public IResult FunctionLevel([HttpTrigger(AuthorizationLevel.Function, "get", Route = "auth/function")] HttpRequest request)
        => Results.Text("function ok");

    /// <summary>Needs the master key.</summary>
    [Function("AdminLevel")]
    public IResult AdminLevel([HttpTrigger(AuthorizationLevel.Admin, "get", Route = "auth/admin")] HttpRequest request)
        => Results.Text("admin ok");

    /// <summary>Needs nothing.</summary>
    [Function("AnonymousLevel")]
    public IResult AnonymousLevel([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "auth/anonymous")] HttpRequest request)
        => Results.Text("anonymous ok");
}
