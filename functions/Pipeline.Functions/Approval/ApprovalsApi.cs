using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Pipeline.Durable;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Durable;
using Pipeline.Functions.Http;

namespace Pipeline.Functions.Approval;

/// <summary>
/// Approvals over the API (API.md "Approvals"): ask for one along a named or inline route, read it, list a document's,
/// cancel one.
/// </summary>
public static class ApprovalsApi
{
    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapApprovalsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/documents/{id}/approvals", RequestApproval).WithTags("Approvals").WithName("RequestApproval")
            .WithSummary("Sends the document for approval: {\"route\":\"name\"} or {\"steps\":[{\"name\",\"approvers\":[…],\"mode\":\"any|all\",\"due\":\"P2D\"}],\"escalation\"?}.");
        app.MapGet("/api/documents/{id}/approvals", ListApprovals).WithTags("Approvals").WithName("ListDocumentApprovals")
            .WithSummary("The document's approvals, oldest first.");
        app.MapGet("/api/approvals/{approvalId}", GetApproval).WithTags("Approvals").WithName("GetApproval")
            .WithSummary("The approval: status, current step, each step's decisions.");
        app.MapPost("/api/approvals/{approvalId}/cancel", CancelApproval).WithTags("Approvals").WithName("CancelApproval")
            .WithSummary("Cancels a pending approval ({\"reason\"?}); its links stop working and the document goes back to where it was.");
        return app;
    }

    /// <summary>Services the routes need.</summary>
    public sealed record Services(ApprovalStore Store, RouteCatalog Routes, OfficeDirectory Directory, DurableTaskClient Client, ApprovalDecisions Decisions);

    /// <summary>The answer of <c>POST /api/documents/{id}/approvals</c>.</summary>
    public sealed record Started(string ApprovalId, string InstanceId, string StatusQueryGetUri, string Location);

    private static async Task<Results<Accepted<Started>, ProblemHttpResult>> RequestApproval(string id, HttpContext http, [AsParameters] Services services, CancellationToken ct)
    {
        JsonNode? body;
        try { body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: ct); }
        catch (JsonException e) { return ApiProblems.InvalidJson(e); }
        if (body is not JsonObject request || (request["route"] is null) == (request["steps"] is null))
            return Problem(StatusCodes.Status400BadRequest, "route-missing", "Say which route: a named \"route\" or inline \"steps\"",
                "Send {\"route\":\"name\"} or {\"steps\":[{\"name\":\"…\",\"approvers\":[\"a@x.vn\"],\"mode\":\"any\",\"due\":\"P2D\"}]}, not both.");

        ApprovalRoute route;
        if (request["route"] is { } named)
        {
            var name = named is JsonValue v && v.TryGetValue<string>(out var s) ? s.Trim() : "";
            if (services.Routes.Get(name) is not { } stored)
            {
                var known = services.Routes.Names();
                return Problem(StatusCodes.Status400BadRequest, "route-unknown", $"There is no approval route named \"{name}\"",
                    known.Count == 0 ? "No named routes exist yet: add one with PUT /api/approval-routes/{name}, or send inline steps." : $"Known routes: {string.Join(", ", known)}.");
            }
            route = stored;
        }
        else
        {
            var (parsed, problems) = ApprovalRoutes.Parse(request);
            if (parsed is null) return Problem(StatusCodes.Status400BadRequest, "route-invalid", "The approval route has mistakes", "Correct every listed mistake and send it again.", problems);
            route = parsed;
        }

        var resolvedSteps = new List<ApprovalStep>();
        var roleProblems = new List<string>();
        foreach (var step in route.Steps)
        {
            var (approvers, problems) = services.Directory.Resolve(step.Approvers);
            roleProblems.AddRange(problems.Select(p => $"{step.Name}: {p}"));
            resolvedSteps.Add(step with { Approvers = approvers });
        }
        if (roleProblems.Count > 0)
            return Problem(StatusCodes.Status422UnprocessableEntity, "role-empty", "Some approvers cannot be found", "Every role in the route needs at least one person.", roleProblems);

        var outcome = await services.Store.CreateAsync(id, route with { Steps = resolvedSteps }, AuditActors.Of(http), ct);
        switch (outcome.Result)
        {
            case CreateApprovalResult.DocumentNotFound:
                return DocumentsApi.NotFound(id);
            case CreateApprovalResult.DocumentNotReady:
                return Problem(StatusCodes.Status409Conflict, "document-not-approvable", $"A document that is {outcome.DocumentStatus} cannot be sent for approval",
                    outcome.DocumentStatus == nameof(DocumentStatus.NeedsReview)
                        ? $"Check its fields first at /review/{id}; once it is Digitised it can be sent."
                        : "Only a Digitised document, or a Returned or Rejected one after correction, can be sent for approval.");
            case CreateApprovalResult.AlreadyInApproval:
                return Problem(StatusCodes.Status409Conflict, "approval-pending", "The document is already waiting for an approval",
                    $"Wait for approval {outcome.PendingApprovalId} to finish, or cancel it with POST /api/approvals/{outcome.PendingApprovalId}/cancel.");
        }

        var approval = outcome.Approval!;
        await ApprovalRecovery.ScheduleAsync(services.Client, approval, ct);
        var location = $"/api/approvals/{approval.Id}";
        return TypedResults.Accepted(location, new Started(approval.Id, approval.InstanceId, DurableManagementApi.InstanceUri(http.Request, approval.InstanceId), location));
    }

    private static async Task<Results<Ok<ApprovalResponse>, ProblemHttpResult>> GetApproval(string approvalId, [AsParameters] Services services, CancellationToken ct)
        => await services.Store.GetAsync(approvalId, ct) is { } approval ? TypedResults.Ok(ApprovalResponse.From(approval)) : NotFound(approvalId);

    private static async Task<Results<Ok<ApprovalList>, ProblemHttpResult>> ListApprovals(string id, [AsParameters] Services services, DocumentCatalog documents, CancellationToken ct)
    {
        if (await documents.GetAsync(id, ct) is null) return DocumentsApi.NotFound(id);
        var approvals = await services.Store.ListForDocumentAsync(id, ct);
        return TypedResults.Ok(new ApprovalList([.. approvals.Select(ApprovalResponse.From)]));
    }

    private static async Task<Results<Ok<ApprovalResponse>, ProblemHttpResult>> CancelApproval(string approvalId, HttpContext http, [AsParameters] Services services, CancellationToken ct)
    {
        string? reason = null;
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            try { reason = (await JsonNode.ParseAsync(http.Request.Body, cancellationToken: ct))?["reason"]?.GetValue<string>(); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                return ApiProblems.InvalidInput("The body must be {\"reason\": \"…\"} or empty");
            }
        }
        var (approval, changed) = await services.Store.CancelAsync(approvalId, AuditActors.Of(http), reason, ct);
        if (approval is null) return NotFound(approvalId);
        if (!changed)
            return Problem(StatusCodes.Status409Conflict, "approval-finished", $"The approval has already ended ({approval.Status})", "Only a Pending approval can be cancelled.");
        // Wake the orchestration waiting on the cancelled step so it ends now rather than at its next timer (with no
        // step open yet, it ends when it tries to open the first one).
        if (approval.Steps.LastOrDefault(s => s.Status == StepStatus.Cancelled) is { } cancelled)
            await services.Decisions.NotifyAsync(approval.InstanceId, cancelled.Index, StepStatus.Cancelled, ct);
        return TypedResults.Ok(ApprovalResponse.From(approval));
    }

    /// <summary>404 for an unknown approval.</summary>
    public static ProblemHttpResult NotFound(string approvalId) => Problem(StatusCodes.Status404NotFound, "approval-not-found",
        $"There is no approval '{approvalId}'", "Check the approvalId returned when the approval was requested.");

    private static ProblemHttpResult Problem(int status, string code, string title, string detail, IReadOnlyList<string>? errors = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (errors is not null) extensions["errors"] = errors;
        return TypedResults.Problem(statusCode: status, title: title, detail: detail, extensions: extensions);
    }
}
