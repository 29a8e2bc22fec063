using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Http;

namespace Pipeline.Functions.Approval;

/// <summary>
/// The admin API behind role-based approval: named routes (<c>/api/approval-routes</c>) and who holds which role in
/// an office (<c>/api/offices/{office}/roles</c>). Under <c>/api</c>, so only the admin key reaches it; every change
/// is logged with who made it.
/// </summary>
public static class ApprovalDirectoryApi
{
    /// <summary>Maps the routes. Reads <c>routes.json</c> and <c>directory.json</c> now, so a malformed one stops the app at startup.</summary>
    public static IEndpointRouteBuilder MapApprovalDirectoryApi(this IEndpointRouteBuilder app)
    {
        // Singletons are otherwise built on first use: an operator would learn of a broken file only from a failing request.
        app.ServiceProvider.GetRequiredService<RouteCatalog>();
        app.ServiceProvider.GetRequiredService<OfficeDirectory>();

        var routes = app.MapGroup("/api/approval-routes").WithTags("Approval routes");
        routes.MapGet("", ListRoutes).WithName("ListApprovalRoutes").WithSummary("Every named route: {\"routes\":[{\"name\",\"steps\",…}]}.");
        routes.MapGet("/{name}", GetRoute).WithName("GetApprovalRoute").WithSummary("The named route as stored, with its name.");
        routes.MapPut("/{name}", PutRoute).WithName("PutApprovalRoute")
            .WithSummary("Creates or replaces a named route: {\"steps\":[{\"name\",\"approvers\":[email or role:ROLE@OFFICE],\"mode\":\"any|all\",\"due\":\"P2D\"}],\"escalation\"?}.");
        routes.MapDelete("/{name}", DeleteRoute).WithName("DeleteApprovalRoute").WithSummary("Removes a named route; approvals already started keep their steps.");

        var roles = app.MapGroup("/api/offices/{office}/roles").WithTags("Office directory");
        roles.MapGet("", GetRoles).WithName("GetOfficeRoles").WithSummary("Who holds each role in the office: {\"office\",\"roles\":{\"approver\":[…]}}.");
        roles.MapGet("/{role}", GetRole).WithName("GetOfficeRole").WithSummary("Who holds the role in the office: {\"office\",\"role\",\"members\"}.");
        roles.MapPut("/{role}", PutRole).WithName("PutOfficeRole").WithSummary("Sets who holds the role in the office: {\"members\":[\"a@x.vn\",…]}; an empty list removes everyone.");
        return app;
    }

    /// <summary>Services the routes need.</summary>
    public sealed record Services(RouteCatalog Routes, OfficeDirectory Directory, ILoggerFactory Logs)
    {
        /// <summary>The log of changes.</summary>
        public ILogger Log => Logs.CreateLogger(typeof(ApprovalDirectoryApi).FullName!);
    }

    /// <summary>Body of <c>GET /api/offices/{office}/roles</c>.</summary>
    public sealed record OfficeRoles(string Office, IReadOnlyDictionary<string, IReadOnlyList<string>> Roles);

    /// <summary>Body of <c>GET</c> and <c>PUT /api/offices/{office}/roles/{role}</c>.</summary>
    public sealed record RoleMembers(string Office, string Role, IReadOnlyList<string> Members);

    private static Ok<JsonObject> ListRoutes([AsParameters] Services services)
        => TypedResults.Ok(new JsonObject
        {
            ["routes"] = new JsonArray([.. services.Routes.Names().Select(n => services.Routes.GetJson(n) is { } json ? Named(n, json) : null).Where(r => r is not null)]),
        });

    private static Results<Ok<JsonObject>, ProblemHttpResult> GetRoute(string name, [AsParameters] Services services)
        => services.Routes.GetJson(name) is { } json ? TypedResults.Ok(Named(name, json)) : RouteNotFound(name);

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> PutRoute(string name, HttpContext http, [AsParameters] Services services, CancellationToken ct)
    {
        var (body, invalid) = await ReadJsonAsync(http.Request, "the route", ct);
        if (invalid is not null) return invalid;
        var problems = await services.Routes.PutAsync(name, body, ct);
        if (problems.Count > 0) return Mistakes("The route has mistakes", problems);
        services.Log.LogInformation("Approval route {Route} put by {Actor}", name, AuditActors.Of(http));
        return TypedResults.Ok(Named(name, services.Routes.GetJson(name)!));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteRoute(string name, HttpContext http, [AsParameters] Services services, CancellationToken ct)
    {
        if (!await services.Routes.DeleteAsync(name, ct)) return RouteNotFound(name);
        services.Log.LogInformation("Approval route {Route} deleted by {Actor}", name, AuditActors.Of(http));
        return TypedResults.NoContent();
    }

    private static Results<Ok<OfficeRoles>, ProblemHttpResult> GetRoles(string office, [AsParameters] Services services)
        => OfficeDirectory.IsOfficeId(office) ? TypedResults.Ok(new OfficeRoles(office, services.Directory.Roles(office))) : BadOffice(office);

    private static Results<Ok<RoleMembers>, ProblemHttpResult> GetRole(string office, string role, [AsParameters] Services services)
    {
        if (!OfficeDirectory.IsOfficeId(office)) return BadOffice(office);
        role = role.Trim().ToLowerInvariant();
        if (!OfficeDirectory.RoleNames.Contains(role))
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No role '{role}'",
                detail: $"An office's roles are {string.Join(", ", OfficeDirectory.RoleNames)}.");
        return TypedResults.Ok(new RoleMembers(office, role, services.Directory.Members(office, role)));
    }

    private static async Task<Results<Ok<RoleMembers>, ProblemHttpResult>> PutRole(string office, string role, HttpContext http, [AsParameters] Services services, CancellationToken ct)
    {
        var (body, invalid) = await ReadJsonAsync(http.Request, "{\"members\": [\"a@x.vn\", …]}", ct);
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
        var mistakes = await services.Directory.SetMembersAsync(office, role, members, ct);
        if (mistakes.Count > 0) return Mistakes("The role's members have mistakes", mistakes);
        var stored = services.Directory.Members(office, role);
        services.Log.LogInformation("Role {Role} of office {Office} set to [{Members}] by {Actor}", role, office, string.Join(", ", stored), AuditActors.Of(http));
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
            return (null, ApiProblems.InvalidInput("The request body is not valid JSON", $"Send {expected} as JSON. {e.Message}"));
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

    private static ProblemHttpResult BadOffice(string office)
        => ApiProblems.InvalidInput($"\"{office}\" is not an office id", "Office ids are 1 to 64 letters, digits, '.', '_' or '-'.");
}
