using System.Collections.ObjectModel;
using System.Net.Mail;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Pipeline.Functions.Approval;

/// <summary>
/// Who holds which role in which office, so a route can name <c>role:approver@vp-tinh-uy</c> instead of people and
/// stay right when staff change. Kept in <c>&lt;data&gt;/directory.json</c>
/// (<c>{"offices":{"vp-tinh-uy":{"approver":["a@x.vn"],"secretary":["c@x.vn"]}}}</c>), read once at construction.
/// </summary>
/// <remarks>
/// Thread-safe: readers see one complete directory (an immutable snapshot swapped on change), writers are taken one at
/// a time, and the file is replaced atomically, so a crash mid-write leaves the old directory or the new one, never half.
/// </remarks>
public sealed partial class OfficeDirectory
{
    /// <summary>The file's name in the data directory.</summary>
    public const string FileName = "directory.json";

    /// <summary>The roles people hold in an office, in the order they are listed.</summary>
    public static readonly IReadOnlyList<string> RoleNames = ["uploader", "reviewer", "approver", "secretary", "admin"];

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoRoles = new ReadOnlyDictionary<string, IReadOnlyList<string>>(new Dictionary<string, IReadOnlyList<string>>());
    private readonly SemaphoreSlim _writer = new(1, 1);
    private volatile Snapshot _offices;

    /// <summary>Reads <c><paramref name="dataDirectory"/>/directory.json</c>; no file is an empty directory.</summary>
    /// <exception cref="InvalidOperationException">The file is malformed; the message names the file and every problem, so the app fails to start with what to fix.</exception>
    public OfficeDirectory(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        FilePath = Path.Combine(Path.GetFullPath(dataDirectory), FileName);
        _offices = Load(FilePath);
    }

    /// <summary>The directory file's full path.</summary>
    public string FilePath { get; }

    /// <summary>The people (lower-case emails, in the order given) holding <paramref name="role"/> in <paramref name="office"/>; empty when none.</summary>
    public IReadOnlyList<string> Members(string office, string role)
        => _offices.TryGetValue(office, out var roles) && roles.TryGetValue(NormaliseRole(role), out var members) ? members : [];

    /// <summary>Every role of <paramref name="office"/> that someone holds, with its members; empty for an office nobody is in.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Roles(string office)
        => _offices.TryGetValue(office, out var roles) ? roles : NoRoles;

    /// <summary>
    /// Makes <paramref name="members"/> the people holding <paramref name="role"/> in <paramref name="office"/> (an empty
    /// list removes the role). Returns every problem at once; only when there is none is the file rewritten and the
    /// change visible. Calls are serialised, so concurrent changes to different roles all land.
    /// </summary>
    public async Task<IReadOnlyList<string>> SetMembersAsync(string office, string role, IReadOnlyList<string> members, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(members);
        var problems = new List<string>();
        if (!IsOfficeId(office)) problems.Add(OfficeIdProblem(office));
        role = NormaliseRole(role);
        if (!RoleNames.Contains(role)) problems.Add(RoleProblem(role));
        var emails = ReadMembers(members, "members", problems);
        if (problems.Count > 0) return problems;

        await _writer.WaitAsync(ct);
        try
        {
            var offices = new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>>(_offices, StringComparer.Ordinal);
            var roles = offices.TryGetValue(office, out var current) ? new Dictionary<string, IReadOnlyList<string>>(current) : new Dictionary<string, IReadOnlyList<string>>();
            if (emails.Count == 0) roles.Remove(role);
            else roles[role] = emails.AsReadOnly(); // handed to readers: they must not be able to change it
            if (roles.Count == 0) offices.Remove(office);
            else offices[office] = InRoleOrder(roles);
            var next = new Snapshot(offices);
            await JsonDataFile.ReplaceAsync(FilePath, ToJson(next), ct);
            _offices = next;
            return [];
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>
    /// The approvers of a step as people: each <c>role:ROLE@OFFICE</c> replaced by its members, emails passed through
    /// (lower case), duplicates dropped, first appearance kept. A role nobody holds is a problem, since mailing no one
    /// would leave the step waiting forever; the caller must not start an approval while there are problems.
    /// </summary>
    public (IReadOnlyList<string> Approvers, IReadOnlyList<string> Problems) Resolve(IReadOnlyList<string> approvers)
    {
        ArgumentNullException.ThrowIfNull(approvers);
        var snapshot = _offices; // one directory for the whole step, even if it changes meanwhile
        var people = new List<string>();
        var problems = new List<string>();
        foreach (var approver in approvers)
        {
            if (ApproverRole.TryParse(approver.Trim()) is not { } reference)
            {
                var email = approver.Trim().ToLowerInvariant();
                if (!people.Contains(email)) people.Add(email);
                continue;
            }
            if (!RoleNames.Contains(reference.Role)) { problems.Add($"{reference} names no role: use one of {string.Join(", ", RoleNames)}."); continue; }
            var members = snapshot.TryGetValue(reference.Office, out var roles) && roles.TryGetValue(reference.Role, out var m) ? m : [];
            if (members.Count == 0)
                problems.Add($"{reference} has nobody in it: add people with PUT /api/offices/{reference.Office}/roles/{reference.Role}");
            foreach (var member in members)
                if (!people.Contains(member)) people.Add(member);
        }
        return (people, problems);
    }

    /// <summary>Whether <paramref name="office"/> is an office id: 1 to 64 letters, digits, '.', '_' or '-' (as uploads take them).</summary>
    public static bool IsOfficeId(string? office) => office is not null && OfficeId().IsMatch(office);

    /// <summary>An address a mail server takes: one mailbox, no display name, no spaces or line breaks (as routes check them).</summary>
    internal static bool IsEmail(string text)
        => !text.Any(char.IsWhiteSpace) && MailAddress.TryCreate(text, out var address) && address.Address == text && address.Host.Contains('.');

    internal static string OfficeIdProblem(string? office) => $"\"{office}\" is not an office id: use 1 to 64 letters, digits, '.', '_' or '-'.";

    internal static string RoleProblem(string role) => $"\"{role}\" is not a role: use one of {string.Join(", ", RoleNames)}.";

    private static string NormaliseRole(string role) => role.Trim().ToLowerInvariant();

    // Members as given, lower-cased; every bad or repeated one is a problem named by its place in the list.
    private static List<string> ReadMembers(IReadOnlyList<string?> list, string at, List<string> problems)
    {
        var emails = new List<string>();
        if (list.Count > ApprovalRoutes.MaxApprovers)
            problems.Add($"{at} lists {list.Count} people; at most {ApprovalRoutes.MaxApprovers}, as many as a step may have.");
        for (var i = 0; i < list.Count; i++)
        {
            var text = list[i]?.Trim() ?? "null";
            var email = text.ToLowerInvariant();
            if (!IsEmail(text)) problems.Add($"{at}[{i}] \"{text}\" is not an email address.");
            else if (emails.Contains(email)) problems.Add($"{at}[{i}] {email} is listed twice.");
            else emails.Add(email);
        }
        return emails;
    }

    private static IReadOnlyDictionary<string, IReadOnlyList<string>> InRoleOrder(IReadOnlyDictionary<string, IReadOnlyList<string>> roles)
        => new ReadOnlyDictionary<string, IReadOnlyList<string>>(RoleNames.Where(roles.ContainsKey).ToDictionary(r => r, r => roles[r]));

    private static Snapshot Load(string path)
    {
        var root = JsonDataFile.Read(path, out var parseError);
        if (parseError is not null) throw Malformed(path, [parseError]);
        var offices = new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>>(StringComparer.Ordinal);
        if (root is null) return new Snapshot(offices);

        var problems = new List<string>();
        if (root is not JsonObject file || file["offices"] is not (null or JsonObject))
            throw Malformed(path, ["It must be {\"offices\": {\"OFFICE\": {\"ROLE\": [\"email\", …]}}}."]);
        foreach (var (office, value) in file["offices"] as JsonObject ?? new JsonObject())
        {
            if (!IsOfficeId(office)) problems.Add($"offices: {OfficeIdProblem(office)}");
            if (value is not JsonObject roleObject) { problems.Add($"offices.{office} must be an object of roles."); continue; }
            var roles = new Dictionary<string, IReadOnlyList<string>>();
            foreach (var (role, list) in roleObject)
            {
                var at = $"offices.{office}.{role}";
                if (!RoleNames.Contains(role)) problems.Add($"{at}: {RoleProblem(role)}");
                if (list is not JsonArray array) { problems.Add($"{at} must be a list of email addresses."); continue; }
                var members = ReadMembers([.. array.Select(JsonDataFile.Text)], at, problems);
                if (members.Count > 0) roles[role] = members.AsReadOnly();
            }
            if (roles.Count > 0) offices[office] = InRoleOrder(roles);
        }
        return problems.Count > 0 ? throw Malformed(path, problems) : new Snapshot(offices);
    }

    private static InvalidOperationException Malformed(string path, IEnumerable<string> problems)
        => new($"The office directory {path} is malformed; fix it (or move it away to start with an empty directory):{Environment.NewLine}- {string.Join($"{Environment.NewLine}- ", problems)}");

    private static JsonObject ToJson(Snapshot offices)
    {
        var json = new JsonObject();
        foreach (var office in offices.Keys.Order(StringComparer.Ordinal))
            json[office] = new JsonObject(offices[office].Select(r => KeyValuePair.Create(r.Key, (JsonNode?)new JsonArray([.. r.Value.Select(m => (JsonNode?)m)]))));
        return new JsonObject { ["offices"] = json };
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}\\z")]
    private static partial Regex OfficeId();

    // Never changed once built; a change builds a new one and swaps it in.
    private sealed class Snapshot(IDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> offices)
        : ReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>>(offices);
}

/// <summary>A JSON file in the data directory that operators may also edit by hand: read leniently, replaced atomically.</summary>
internal static class JsonDataFile
{
    /// <summary>Comments and trailing commas are fine in a hand-edited file; a repeated key is not (which one would win is a guess).</summary>
    public static readonly JsonDocumentOptions ReadOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, AllowDuplicateProperties = false };

    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A string value as written; anything else as its JSON text, so a problem can quote it.</summary>
    public static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToJsonString();

    /// <summary>The file's JSON, or null when there is no file; <paramref name="error"/> says why it is not JSON.</summary>
    public static JsonNode? Read(string path, out string? error)
    {
        error = null;
        if (!File.Exists(path)) return null;
        try
        {
            return JsonNode.Parse(File.ReadAllText(path), documentOptions: ReadOptions) ?? throw new JsonException("It holds null.");
        }
        catch (JsonException e)
        {
            error = $"It is not valid JSON: {e.Message}";
            return null;
        }
    }

    /// <summary>
    /// Writes <paramref name="json"/> to a temporary file beside <paramref name="path"/>, flushes it to disk and renames
    /// it over <paramref name="path"/>: readers and a crash see the old file or the new one, never a torn one.
    /// </summary>
    public static async Task ReplaceAsync(string path, JsonNode json, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                await file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString(WriteOptions) + "\n"), ct);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
