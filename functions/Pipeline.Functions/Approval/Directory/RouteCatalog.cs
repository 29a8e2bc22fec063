using System.Collections.Frozen;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Pipeline.Functions.Approval;

/// <summary>
/// Named approval routes, so a request can say <c>{"route":"van-ban-di"}</c> instead of spelling out its steps. Kept in
/// <c>&lt;data&gt;/routes.json</c> (<c>{"routes":{"van-ban-di":{"steps":[…],"escalation":"x@y.vn"}}}</c>), read once at
/// construction; every route is checked by <see cref="ApprovalRoutes.Parse"/> both when read and when put.
/// </summary>
/// <remarks>
/// Thread-safe: readers see one complete catalog (an immutable snapshot swapped on change), writers are taken one at a
/// time, and the file is replaced atomically.
/// </remarks>
public sealed partial class RouteCatalog
{
    /// <summary>The file's name in the data directory.</summary>
    public const string FileName = "routes.json";

    private readonly SemaphoreSlim _writer = new(1, 1);
    private volatile FrozenDictionary<string, Entry> _routes;

    /// <summary>Reads <c><paramref name="dataDirectory"/>/routes.json</c>; no file is an empty catalog.</summary>
    /// <exception cref="InvalidOperationException">The file is malformed or holds a bad route; the message names the file, each bad route and all its problems.</exception>
    public RouteCatalog(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        FilePath = Path.Combine(Path.GetFullPath(dataDirectory), FileName);
        _routes = Load(FilePath);
    }

    /// <summary>The catalog file's full path.</summary>
    public string FilePath { get; }

    /// <summary>The route named <paramref name="name"/>, checked and ready to run, or null when there is none.</summary>
    public ApprovalRoute? Get(string name) => _routes.TryGetValue(name, out var entry) ? entry.Route : null;

    /// <summary>The route as it was put (a copy the caller may change), or null when there is none.</summary>
    public JsonObject? GetJson(string name) => _routes.TryGetValue(name, out var entry) ? JsonNode.Parse(entry.Json)!.AsObject() : null;

    /// <summary>The names of every route, in ordinal order.</summary>
    public IReadOnlyList<string> Names() => [.. _routes.Keys.Order(StringComparer.Ordinal)];

    /// <summary>
    /// Stores <paramref name="route"/> under <paramref name="name"/>, replacing any route of that name. Returns every
    /// problem at once (a bad name, and all of <see cref="ApprovalRoutes.Parse"/>'s); only when there is none is the
    /// file rewritten and the route visible.
    /// </summary>
    public async Task<IReadOnlyList<string>> PutAsync(string name, JsonNode? route, CancellationToken ct)
    {
        var problems = new List<string>();
        if (!IsRouteName(name)) problems.Add(NameProblem(name));
        var json = route?.DeepClone() as JsonObject;
        // The address names the route; a different name in the body is a sign of putting the wrong file.
        if (json?["name"] is { } bodyName && JsonDataFile.Text(bodyName) != name)
            problems.Add($"\"name\" {bodyName.ToJsonString()} differs from the route's name in the address, \"{name}\": leave it out or make them the same.");
        json?.Remove("name");
        var (parsed, routeProblems) = ApprovalRoutes.Parse(json ?? route, name);
        problems.AddRange(routeProblems);
        if (problems.Count > 0) return problems;

        await ChangeAsync(routes => { routes[name] = new Entry(parsed!, json!.ToJsonString()); return true; }, ct);
        return [];
    }

    /// <summary>Removes the route named <paramref name="name"/>; false when there was none.</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken ct)
    {
        return await ChangeAsync(routes => routes.Remove(name), ct);
    }

    /// <summary>Whether <paramref name="name"/> can name a route: 1 to 64 lower-case letters, digits, '-' or '_' (safe in a URL and a file).</summary>
    public static bool IsRouteName(string? name) => name is not null && RouteName().IsMatch(name);

    private static string NameProblem(string? name) => $"\"{name}\" is not a route name: use 1 to 64 lower-case letters, digits, '-' or '_' (e.g. van-ban-di).";

    // Applies change to a copy; when it says it changed something, writes the file, then lets readers see the copy.
    private async Task<bool> ChangeAsync(Func<Dictionary<string, Entry>, bool> change, CancellationToken ct)
    {
        await _writer.WaitAsync(ct);
        try
        {
            var routes = new Dictionary<string, Entry>(_routes, StringComparer.Ordinal);
            if (!change(routes)) return false;
            var file = new JsonObject();
            foreach (var name in routes.Keys.Order(StringComparer.Ordinal)) file[name] = JsonNode.Parse(routes[name].Json);
            await JsonDataFile.ReplaceAsync(FilePath, new JsonObject { ["routes"] = file }, ct);
            _routes = routes.ToFrozenDictionary(StringComparer.Ordinal);
            return true;
        }
        finally
        {
            _writer.Release();
        }
    }

    private static FrozenDictionary<string, Entry> Load(string path)
    {
        var root = JsonDataFile.Read(path, out var parseError);
        if (parseError is not null) throw Malformed(path, [parseError]);
        var routes = new Dictionary<string, Entry>(StringComparer.Ordinal);
        if (root is null) return routes.ToFrozenDictionary(StringComparer.Ordinal);
        if (root is not JsonObject file || file["routes"] is not (null or JsonObject))
            throw Malformed(path, ["It must be {\"routes\": {\"NAME\": {\"steps\": […]}}}."]);

        var problems = new List<string>();
        foreach (var (name, json) in file["routes"] as JsonObject ?? new JsonObject())
        {
            if (!IsRouteName(name)) problems.Add($"routes: {NameProblem(name)}");
            var (route, routeProblems) = ApprovalRoutes.Parse(json, name);
            problems.AddRange(routeProblems.Select(p => $"route \"{name}\": {p}"));
            if (route is not null) routes[name] = new Entry(route, json!.ToJsonString());
        }
        return problems.Count > 0 ? throw Malformed(path, problems) : routes.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static InvalidOperationException Malformed(string path, IEnumerable<string> problems)
        => new($"The approval route catalog {path} is malformed; fix it (or move it away to start with no named routes):{Environment.NewLine}- {string.Join($"{Environment.NewLine}- ", problems)}");

    [GeneratedRegex("^[a-z0-9_-]{1,64}\\z")]
    private static partial Regex RouteName();

    // The JSON is kept as text: JsonNode is not safe to read from several threads, a string is.
    private sealed record Entry(ApprovalRoute Route, string Json);
}
