using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Pipeline.Functions.Documents;

namespace Pipeline.Functions.Approval;

/// <summary>
/// The admin API behind role-based approval: named routes (<c>/api/approval-routes</c>) and who holds which role in
/// an office (<c>/api/offices/{office}/roles</c>). Under <c>/api</c>, so only a key holder reaches it; every change
/// is logged with who made it. <c>routes.json</c> and <c>directory.json</c> are read at start
/// (<see cref="ApprovalDirectoryCheck"/>), so a malformed one stops the app.
/// </summary>
public sealed class ApprovalDirectoryFunctions(RouteCatalog routes, OfficeDirectory directory, ILogger<ApprovalDirectoryFunctions> log)
{
    /// <summary>Body of <c>GET /api/offices/{office}/roles</c>.</summary>
    public sealed record OfficeRoles(string Office, IReadOnlyDictionary<string, IReadOnlyList<string>> Roles);

    /// <summary>Body of <c>GET</c> and <c>PUT /api/offices/{office}/roles/{role}</c>.</summary>
    public sealed record RoleMembers(string Office, string Role, IReadOnlyList<string> Members);

    /// <summary>Every named route: <c>{"routes":[{"name","steps",…}]}</c>.</summary>
    [Function("ListApprovalRoutes")]
    public IResult ListRoutes([HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/approval-routes")] HttpRequest request)
        => TypedResults.Ok(new JsonObject
        {
            ["routes"] = new JsonArray([.. routes.Names().Select(n => routes.GetJson(n) is { } json ? Named(n, json) : null).Where(r => r is not null)]),
        });

    /// <summary>The named route as stored, with its name.</summary>
    [Function("GetApprovalRoute")]
    public IResult GetRoute([HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/approval-routes/{name}")] HttpRequest request, string name)
        => routes.GetJson(name) is { } json ? TypedResults.Ok(Named(name, json)) : RouteNotFound(name);

    /// <summary>Creates or replaces a named route: <c>{"steps":[{"name","approvers":[email or role:ROLE@OFFICE],"mode":"any|all","due":"P2D"}],"escalation"?}</c>.</summary>
    [Function("PutApprovalRoute")]
    public async Task<IResult> PutRoute([HttpTrigger(AuthorizationLevel.Function, "put", Route = "api/approval-routes/{name}")] HttpRequest request, string name,
        CancellationToken ct)
    {
        var (body, invalid) = await ReadJsonAsync(request, "the route", ct);
        if (invalid is not null) return invalid;
        var problems = await routes.PutAsync(name, body, ct);
        if (problems.Count > 0) return Mistakes("The route has mistakes", problems);
        log.LogInformation("Approval route {Route} put by {Actor}", name, AuditActors.Of(request.HttpContext));
        return TypedResults.Ok(Named(name, routes.GetJson(name)!));
    }

    /// <summary>Removes a named route; approvals already started keep their steps.</summary>
    [Function("DeleteApprovalRoute")]
    public async Task<IResult> DeleteRoute([HttpTrigger(AuthorizationLevel.Function, "delete", Route = "api/approval-routes/{name}")] HttpRequest request, string name,
        CancellationToken ct)
    {
        if (!await routes.DeleteAsync(name, ct)) return RouteNotFound(name);
        log.LogInformation("Approval route {Route} deleted by {Actor}", name, AuditActors.Of(request.HttpContext));
        return TypedResults.NoContent();
    }

    /// <summary>Who holds each role in the office: <c>{"office","roles":{"approver":[…]}}</c>.</summary>
    [Function("GetOfficeRoles")]
    public IResult GetRoles([HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/offices/{office}/roles")] HttpRequest request, string office)
        => OfficeDirectory.IsOfficeId(office) ? TypedResults.Ok(new OfficeRoles(office, directory.Roles(office))) : BadOffice(office);

    /// <summary>Who holds the role in the office: <c>{"office","role","members"}</c>.</summary>
    [Function("GetOfficeRole")]
    public IResult GetRole([HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/offices/{office}/roles/{role}")] HttpRequest request, string office, string role)
    {
        if (!OfficeDirectory.IsOfficeId(office)) return BadOffice(office);
        role = role.Trim().ToLowerInvariant();
        if (!OfficeDirectory.RoleNames.Contains(role))
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No role '{role}'",
                detail: $"An office's roles are {string.Join(", ", OfficeDirectory.RoleNames)}.");
        return TypedResults.Ok(new RoleMembers(office, role, directory.Members(office, role)));
    }

    /// <summary>Sets who holds the role in the office: <c>{"members":["a@x.vn",…]}</c>; an empty list removes everyone.</summary>
    [Function("PutOfficeRole")]
    public async Task<IResult> PutRole([HttpTrigger(AuthorizationLevel.Function, "put", Route = "api/offices/{office}/roles/{role}")] HttpRequest request,
        string office, string role, CancellationToken ct)
    {
        var (body, invalid) = await ReadJsonAsync(request, "{\"members\": [\"a@x.vn\", …]}", ct);
        if (invalid is not null) return invalid;
        role = role.Trim().ToLowerInvariant();
        if (body?["members"] is not JsonArray list)
        {
            // Still name a bad office or role, so every mistake is reported in one answer.
            List<string> problems = ["\"members\" must be a list of email addresses; an empty list removes everyone from the role."];
            if (!OfficeDirectory.IsOfficeId(office)) problems.Insert(0, OfficeDirectory.OfficeIdProblem(office));
            if (!OfficeDirectory.RoleNames.Contains(role)) problems.Insert(0, OfficeDirectory.RoleProblem(role));
            return Mistakes("The role's members have mistakes", problems);
        }
        var members = list.Select(m => JsonDataFile.Text(m) ?? "null").ToList();
        var mistakes = await directory.SetMembersAsync(office, role, members, ct);
        if (mistakes.Count > 0) return Mistakes("The role's members have mistakes", mistakes);
        var stored = directory.Members(office, role);
        log.LogInformation("Role {Role} of office {Office} set to [{Members}] by {Actor}", role, office, string.Join(", ", stored), AuditActors.Of(request.HttpContext));
        return TypedResults.Ok(new RoleMembers(office, role, stored));
    }

    // The body parsed as JSON, or the 400 saying it is not; an empty body is not JSON either.
    private static async Task<(JsonNode? Body, ProblemHttpResult? Problem)> ReadJsonAsync(HttpRequest request, string expected, CancellationToken ct)
    {
        try
        {
            return (await JsonNode.ParseAsync(request.Body, documentOptions: JsonDataFile.ReadOptions, cancellationToken: ct), null);
        }
        catch (JsonException e)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request body is not valid JSON",
                detail: $"Send {expected} as JSON. {e.Message}"));
        }
    }

    private static JsonObject Named(string name, JsonObject route)
        => new([KeyValuePair.Create("name", (JsonNode?)name), .. route.Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))]);

    private static ProblemHttpResult Mistakes(string title, IReadOnlyList<string> errors) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: title,
        detail: "Nothing was changed. Fix every entry of errors and send it again.",
        extensions: new Dictionary<string, object?> { ["errors"] = errors.ToArray() });

    private static ProblemHttpResult RouteNotFound(string name) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: $"No approval route '{name}'", detail: $"Create it with PUT /api/approval-routes/{name}, or see GET /api/approval-routes for the routes there are.");

    private static ProblemHttpResult BadOffice(string office) => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest,
        title: $"\"{office}\" is not an office id", detail: "Office ids are 1 to 64 letters, digits, '.', '_' or '-'.");
}

/// <summary>Reads <c>routes.json</c> and <c>directory.json</c> when the app starts, so a malformed one stops it then rather than failing a request later.</summary>
public sealed class ApprovalDirectoryCheck(IServiceProvider services) : IHostedService
{
    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<RouteCatalog>();
        services.GetRequiredService<OfficeDirectory>();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
