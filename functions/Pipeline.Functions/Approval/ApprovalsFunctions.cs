using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Links;

namespace Pipeline.Functions.Approval;

/// <summary>
/// Approvals over the API (API.md "Approvals"): ask for one along a named or inline route, read it, list a document's,
/// cancel one. Function-level auth: the host checks the key.
/// </summary>
public sealed class ApprovalsFunctions(ApprovalStore store, RouteCatalog routes, OfficeDirectory directory, ApprovalDecisions decisions,
    DocumentCatalog documents, PublicAddress address)
{
    /// <summary>The answer of <c>POST /api/documents/{id}/approvals</c>.</summary>
    public sealed record Started(string ApprovalId, string InstanceId, string StatusQueryGetUri, string Location);

    /// <summary>
    /// <c>POST /api/documents/{id}/approvals</c>: sends the document for approval: <c>{"route":"name"}</c> or
    /// <c>{"steps":[{"name","approvers":[…],"mode":"any|all","due":"P2D"}],"escalation"?}</c>.
    /// </summary>
    [Function("RequestApproval")]
    public async Task<IResult> RequestApproval([HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/documents/{id}/approvals")] HttpRequest request,
        string id, [DurableClient] DurableTaskClient client, CancellationToken ct)
    {
        address.Observe(request);
        JsonNode? body;
        try { body = await JsonNode.ParseAsync(request.Body, cancellationToken: ct); }
        catch (JsonException e) { return InvalidJson(e); }
        if (body is not JsonObject asked || (asked["route"] is null) == (asked["steps"] is null))
            return Problem(StatusCodes.Status400BadRequest, "route-missing", "Say which route: a named \"route\" or inline \"steps\"",
                "Send {\"route\":\"name\"} or {\"steps\":[{\"name\":\"…\",\"approvers\":[\"a@x.vn\"],\"mode\":\"any\",\"due\":\"P2D\"}]}, not both.");

        var (route, routeProblem) = RouteOf(asked);
        if (routeProblem is not null) return routeProblem;

        var resolvedSteps = new List<ApprovalStep>();
        var roleProblems = new List<string>();
        foreach (var step in route!.Steps)
        {
            var (approvers, problems) = directory.Resolve(step.Approvers);
            roleProblems.AddRange(problems.Select(p => $"{step.Name}: {p}"));
            resolvedSteps.Add(step with { Approvers = approvers });
        }
        if (roleProblems.Count > 0)
            return Problem(StatusCodes.Status422UnprocessableEntity, "role-empty", "Some approvers cannot be found", "Every role in the route needs at least one person.", roleProblems);

        var outcome = await store.CreateAsync(id, route with { Steps = resolvedSteps }, AuditActors.Of(request.HttpContext), ct);
        switch (outcome.Result)
        {
            case CreateApprovalResult.DocumentNotFound:
                return DocumentNotFound(id);
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
        await ApprovalRecovery.ScheduleAsync(client, approval, ct);
        var location = $"/api/approvals/{approval.Id}";
        return TypedResults.Accepted(location, new Started(approval.Id, approval.InstanceId, InstanceUri(request, approval.InstanceId), location));
    }

    /// <summary><c>GET /api/documents/{id}/approvals</c>: the document's approvals, oldest first.</summary>
    [Function("ListDocumentApprovals")]
    public async Task<IResult> ListApprovals([HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/documents/{id}/approvals")] HttpRequest request,
        string id, CancellationToken ct)
    {
        if (await documents.GetAsync(id, ct) is null) return DocumentNotFound(id);
        var approvals = await store.ListForDocumentAsync(id, ct);
        return TypedResults.Ok(new ApprovalList([.. approvals.Select(ApprovalResponse.From)]));
    }

    /// <summary><c>GET /api/approvals/{approvalId}</c>: the approval: status, current step, each step's decisions.</summary>
    [Function("GetApproval")]
    public async Task<IResult> GetApproval([HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/approvals/{approvalId}")] HttpRequest request,
        string approvalId, CancellationToken ct)
        => await store.GetAsync(approvalId, ct) is { } approval ? TypedResults.Ok(ApprovalResponse.From(approval)) : NotFound(approvalId);

    /// <summary>
    /// <c>POST /api/approvals/{approvalId}/cancel</c>: cancels a pending approval (<c>{"reason"?}</c>); its links stop
    /// working and the document goes back to where it was.
    /// </summary>
    [Function("CancelApproval")]
    public async Task<IResult> CancelApproval([HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/approvals/{approvalId}/cancel")] HttpRequest request,
        string approvalId, [DurableClient] DurableTaskClient client, CancellationToken ct)
    {
        string? reason = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            try { reason = (await JsonNode.ParseAsync(request.Body, cancellationToken: ct))?["reason"]?.GetValue<string>(); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The body must be {\"reason\": \"…\"} or empty");
            }
        }
        var (approval, changed) = await store.CancelAsync(approvalId, AuditActors.Of(request.HttpContext), reason, ct);
        if (approval is null) return NotFound(approvalId);
        if (!changed)
            return Problem(StatusCodes.Status409Conflict, "approval-finished", $"The approval has already ended ({approval.Status})", "Only a Pending approval can be cancelled.");
        // Wake the orchestration waiting on the cancelled step so it ends now rather than at its next timer (with no
        // step open yet, it ends when it tries to open the first one).
        if (approval.Steps.LastOrDefault(s => s.Status == StepStatus.Cancelled) is { } cancelled)
            await decisions.NotifyAsync(client, approval.InstanceId, new StepDecided(cancelled.Index, StepStatus.Cancelled), ct);
        return TypedResults.Ok(ApprovalResponse.From(approval));
    }

    /// <summary>404 for an unknown approval.</summary>
    public static ProblemHttpResult NotFound(string approvalId) => Problem(StatusCodes.Status404NotFound, "approval-not-found",
        $"There is no approval '{approvalId}'", "Check the approvalId returned when the approval was requested.");

    /// <summary>The durable status address of <paramref name="instanceId"/>, on the address the caller used.</summary>
    public static string InstanceUri(HttpRequest request, string instanceId) =>
        $"{PublicRequest.Scheme(request)}://{PublicRequest.Host(request)}/runtime/webhooks/durabletask/instances/{Uri.EscapeDataString(instanceId)}";

    // The named route, or the inline one parsed, or the 400 that says what is wrong with it.
    private (ApprovalRoute? Route, ProblemHttpResult? Problem) RouteOf(JsonObject asked)
    {
        if (asked["route"] is { } named)
        {
            var name = named is JsonValue v && v.TryGetValue<string>(out var s) ? s.Trim() : "";
            if (routes.Get(name) is { } stored) return (stored, null);
            var known = routes.Names();
            return (null, Problem(StatusCodes.Status400BadRequest, "route-unknown", $"There is no approval route named \"{name}\"",
                known.Count == 0 ? "No named routes exist yet: add one with PUT /api/approval-routes/{name}, or send inline steps." : $"Known routes: {string.Join(", ", known)}."));
        }
        var (parsed, problems) = ApprovalRoutes.Parse(asked);
        return parsed is null
            ? (null, Problem(StatusCodes.Status400BadRequest, "route-invalid", "The approval route has mistakes", "Correct every listed mistake and send it again.", problems))
            : (parsed, null);
    }

    private static ProblemHttpResult DocumentNotFound(string id) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: $"No document '{id}'", detail: "Check the document id; search with GET /api/documents?q=…");

    private static ProblemHttpResult InvalidJson(JsonException error) => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest,
        title: "The request body is not valid JSON", detail: $"Send a JSON value (or an empty body). {error.Message}");

    internal static ProblemHttpResult Problem(int status, string code, string title, string detail, IReadOnlyList<string>? errors = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (errors is not null) extensions["errors"] = errors;
        return TypedResults.Problem(statusCode: status, title: title, detail: detail, extensions: extensions);
    }
}
