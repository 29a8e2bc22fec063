using System.Net.Mail;
using System.Text.Json.Nodes;

namespace Pipeline.Functions.Approval;

/// <summary>
/// Reads routes from JSON (<c>{"steps":[{"name","approvers":[…],"mode":"any|all","due":"P2D","escalation"?}],"escalation"?}</c>)
/// and says everything wrong with one at once, each problem naming where it is, so an operator fixes a route in one go.
/// </summary>
public static class ApprovalRoutes
{
    /// <summary>Most steps in a route.</summary>
    public const int MaxSteps = 20;

    /// <summary>Most approvers in a step.</summary>
    public const int MaxApprovers = 500;

    /// <summary>The route in <paramref name="json"/>, or the problems that stop it being one (then the route is null).</summary>
    public static (ApprovalRoute? Route, IReadOnlyList<string> Problems) Parse(JsonNode? json, string? name = null)
    {
        var problems = new List<string>();
        if (json is not JsonObject route) return (null, ["A route is a JSON object with \"steps\"."]);
        var routeEscalation = Email(route["escalation"], "escalation", problems);
        if (route["steps"] is not JsonArray steps || steps.Count == 0)
            return (null, ["\"steps\" must list at least one step."]);
        if (steps.Count > MaxSteps) problems.Add($"A route has at most {MaxSteps} steps; this one has {steps.Count}.");

        var parsed = new List<ApprovalStep>();
        for (var i = 0; i < steps.Count; i++)
        {
            var at = $"steps[{i}]";
            if (steps[i] is not JsonObject step) { problems.Add($"{at} must be an object."); continue; }
            var stepName = Text(step["name"]) ?? $"Bước {i + 1}";
            var approvers = new List<string>();
            if (step["approvers"] is not JsonArray list || list.Count == 0) problems.Add($"{at}.approvers must list at least one email address or role:ROLE@OFFICE.");
            else if (list.Count > MaxApprovers) problems.Add($"{at}.approvers lists {list.Count} approvers; at most {MaxApprovers}.");
            else
            {
                for (var j = 0; j < list.Count; j++)
                {
                    var approver = Approver(Text(list[j]));
                    if (approver is null) problems.Add($"{at}.approvers[{j}] \"{Text(list[j])}\" is neither an email address nor role:ROLE@OFFICE.");
                    else if (approvers.Contains(approver)) problems.Add($"{at}.approvers[{j}] {approver} is listed twice.");
                    else approvers.Add(approver);
                }
            }
            var modeText = Text(step["mode"]) ?? "any";
            ApprovalMode? mode = modeText.ToLowerInvariant() switch { "any" => ApprovalMode.Any, "all" => ApprovalMode.All, _ => null };
            if (mode is null) problems.Add($"{at}.mode \"{modeText}\" must be \"any\" (first decision decides) or \"all\" (everyone must approve).");
            var dueText = Text(step["due"]);
            TimeSpan due = default;
            if (dueText is null) problems.Add($"{at}.due is missing: write an ISO 8601 duration such as P2D or PT12H.");
            else
            {
                try
                {
                    due = WorkingDayCalendar.ParseDue(dueText);
                    if (due <= TimeSpan.Zero) problems.Add($"{at}.due \"{dueText}\" must be longer than zero.");
                }
                catch (FormatException e) { problems.Add($"{at}.due: {e.Message}"); }
            }
            var escalation = Email(step["escalation"], $"{at}.escalation", problems);
            if (mode is { } m) parsed.Add(new ApprovalStep(stepName, approvers, m, due, dueText ?? "", escalation ?? routeEscalation));
        }
        return problems.Count > 0 ? (null, problems) : (new ApprovalRoute(name, parsed, routeEscalation), []);
    }

    private static string? Approver(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (ApproverRole.TryParse(text.Trim()) is { } role) return role.ToString();
        return IsEmail(text) ? text.Trim().ToLowerInvariant() : null;
    }

    private static string? Email(JsonNode? node, string at, List<string> problems)
    {
        var text = Text(node);
        if (text is null) return null;
        if (IsEmail(text)) return text.Trim().ToLowerInvariant();
        problems.Add($"{at} \"{text}\" is not an email address.");
        return null;
    }

    // An address a mail server takes: one mailbox, no display name, no spaces or line breaks.
    private static bool IsEmail(string text)
        => !text.Any(char.IsWhiteSpace) && MailAddress.TryCreate(text.Trim(), out var address) && address.Address == text.Trim() && address.Host.Contains('.');

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;
}
