using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Pipeline.Host.TestApp;

/// <summary>Route templates, constraints, optional and catch-all parameters, methods, and route-value binding.</summary>
public sealed class RoutingFunctions
{
    /// <summary>A <c>string</c> parameter bound from the route value (trigger metadata), with an alpha constraint.</summary>
    [Function("Hello")]
    public IResult Hello([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "hello/{name:alpha}")] HttpRequest request, string name)
        => Results.Text($"Hello {name}");

    /// <summary>An <c>int</c> parameter bound from a constrained route value.</summary>
    [Function("Item")]
    public IResult Item([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "items/{id:int}")] HttpRequest request, int id)
        => Results.Json(new { id, kind = "number" });

    /// <summary>Same prefix, literal segment: ASP.NET Core's precedence must pick this over <c>items/{id:int}</c> for "items/special".</summary>
    [Function("SpecialItem")]
    public IResult SpecialItem([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "items/special")] HttpRequest request)
        => Results.Json(new { id = "special", kind = "literal" });

    /// <summary>An optional parameter.</summary>
    [Function("Optional")]
    public IResult Optional([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "optional/{name?}")] HttpRequest request, string? name)
        => Results.Text(name ?? "(none)");

    /// <summary>A catch-all parameter.</summary>
    [Function("Files")]
    public IResult Files([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "files/{*path}")] HttpRequest request, string? path)
        => Results.Text(path ?? "");

    /// <summary>Two methods only: GET gets 405.</summary>
    [Function("Things")]
    public IResult Things([HttpTrigger(AuthorizationLevel.Anonymous, "post", "put", Route = "things")] HttpRequest request)
        => Results.Text(request.Method);

    /// <summary>No route: the function's name is the route.</summary>
    [Function("NamedRoute")]
    public IResult NamedRoute([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequest request)
        => Results.Text("named");
}
