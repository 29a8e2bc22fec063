using System.Globalization;
using System.Net.Mail;
using System.Text.Json.Nodes;
using Pipeline.Functions.Documents;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// Reads a meeting plan from the API's JSON and checks it against the catalog, naming every problem at once:
/// <c>{"title","startsAt","place"?,"chair"?,"secretary"?,"dossier"?,"participants":["a@x.vn" | {"email","name"}],
/// "agenda":[{"title","presenter"?,"documentIds":[…],"forInformation"?: "reason","participants"?: [emails]}]}</c>.
/// </summary>
public static class MeetingPlanReader
{
    /// <summary>Most participants in a meeting.</summary>
    public const int MaxParticipants = 500;

    /// <summary>Most agenda items.</summary>
    public const int MaxItems = 100;

    /// <summary>
    /// The plan, or the problems that stop it being one. Documents must exist in <paramref name="office"/>; each is
    /// Approved unless its item is for information; an item with a secret document names who may see it.
    /// <c>DocumentsRefused</c> is true when a well-formed plan is refused for the state of its documents (not approved,
    /// secret without named participants) rather than for how it is written.
    /// </summary>
    public static async Task<(MeetingPlan? Plan, IReadOnlyList<string> Problems, bool DocumentsRefused)> ReadAsync(JsonNode? json, string office, DocumentCatalog catalog, CancellationToken ct)
    {
        var problems = new List<string>();
        if (json is not JsonObject body) return (null, ["A meeting is a JSON object with title, startsAt, participants and agenda."], false);
        var documentsRefused = false;
        var title = Line(body["title"], "title", problems);
        if (title is null) problems.Add("\"title\" is missing.");
        DateTime startsAt = default;
        if (Text(body["startsAt"]) is not { } start) problems.Add("\"startsAt\" is missing: write a time with its offset, e.g. 2026-12-15T08:00:00+07:00.");
        else if (!DateTimeOffset.TryParse(start, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) || !start.Contains('T'))
            problems.Add($"\"startsAt\" \"{start}\" is not a time like 2026-12-15T08:00:00+07:00.");
        else startsAt = parsed.UtcDateTime;

        var participants = new List<MeetingParticipant>();
        if (body["participants"] is not JsonArray people || people.Count == 0) problems.Add("\"participants\" must list at least one email address.");
        else if (people.Count > MaxParticipants) problems.Add($"A meeting has at most {MaxParticipants} participants; this one lists {people.Count}.");
        else
        {
            for (var i = 0; i < people.Count; i++)
            {
                var (email, name) = people[i] is JsonObject o ? (Text(o["email"]), Line(o["name"], $"participants[{i}].name", problems)) : (Text(people[i]), null);
                if (email is null || !IsEmail(email)) problems.Add($"participants[{i}] \"{email}\" is not an email address.");
                else if (participants.Any(p => p.Email == email.ToLowerInvariant())) problems.Add($"participants[{i}] {email} is listed twice.");
                else participants.Add(new MeetingParticipant(email.ToLowerInvariant(), name));
            }
        }
        var secretary = Email(body["secretary"], "secretary", problems);
        var chair = Line(body["chair"], "chair", problems);

        var agenda = new List<AgendaItem>();
        if (body["agenda"] is not JsonArray items || items.Count == 0) problems.Add("\"agenda\" must list at least one item.");
        else if (items.Count > MaxItems) problems.Add($"An agenda has at most {MaxItems} items; this one has {items.Count}.");
        else
        {
            for (var i = 0; i < items.Count; i++)
            {
                var at = $"agenda[{i}]";
                if (items[i] is not JsonObject item) { problems.Add($"{at} must be an object."); continue; }
                var itemTitle = Line(item["title"], $"{at}.title", problems);
                if (itemTitle is null) problems.Add($"{at}.title is missing.");
                var forInformation = Text(item["forInformation"]);
                var documentIds = item["documentIds"] is JsonArray ids ? ids.Select(Text).Where(d => d is not null).Select(d => d!).Distinct().ToList() : [];
                List<string>? restricted = null;
                if (item["participants"] is JsonArray named)
                {
                    restricted = [.. named.Select(Text).Where(e => e is not null).Select(e => e!.ToLowerInvariant())];
                    foreach (var email in restricted.Where(e => participants.All(p => p.Email != e)))
                        problems.Add($"{at}.participants: {email} is not a participant of the meeting.");
                }
                var hasSecret = false;
                foreach (var documentId in documentIds)
                {
                    var document = await catalog.GetAsync(documentId, ct);
                    if (document is null || document.Office != office) { problems.Add($"{at}: there is no document {documentId}."); continue; }
                    if (document.Status != DocumentStatus.Approved && forInformation is null)
                    {
                        documentsRefused = true;
                        problems.Add($"{at}: document {documentId} is {document.Status}, not Approved; only approved documents go on an agenda, unless the item is marked \"forInformation\" with the reason.");
                    }
                    hasSecret |= document.Secrecy.IsSecret();
                }
                if (hasSecret && restricted is not { Count: > 0 })
                {
                    documentsRefused = true;
                    problems.Add($"{at} holds a secret document: name the participants who may see it in {at}.participants.");
                }
                agenda.Add(new AgendaItem(i + 1, itemTitle ?? "", Line(item["presenter"], $"{at}.presenter", problems), documentIds, forInformation, restricted));
            }
        }
        var place = Line(body["place"], "place", problems);
        var dossier = Line(body["dossier"], "dossier", problems);
        return problems.Count > 0
            ? (null, problems, documentsRefused)
            : (new MeetingPlan(title!, startsAt, place, chair, secretary, dossier, participants, agenda), [], false);
    }

    private static string? Email(JsonNode? node, string at, List<string> problems)
    {
        var text = Text(node);
        if (text is null) return null;
        if (IsEmail(text)) return text.ToLowerInvariant();
        problems.Add($"\"{at}\" \"{text}\" is not an email address.");
        return null;
    }

    private static bool IsEmail(string text) =>
        !text.Any(char.IsWhiteSpace) && MailAddress.TryCreate(text, out var address) && address.Address == text && address.Host.Contains('.');

    // A one-line field (it goes into mail headers, the pack's pages and the minutes): no line breaks or other control characters.
    private static string? Line(JsonNode? node, string at, List<string> problems)
    {
        var text = Text(node);
        if (text is not null && text.Any(char.IsControl))
            problems.Add($"\"{at}\" holds a line break or another control character; write it on one line.");
        return text;
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;
}
