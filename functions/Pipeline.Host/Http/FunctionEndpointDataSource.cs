using System.Text.Json;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Primitives;
using Pipeline.Host.Hosting;
using Pipeline.Host.Worker;

namespace Pipeline.Host.Http;

/// <summary>
/// One ASP.NET Core endpoint per httpTrigger function of the ready worker: <c>{routePrefix}/{route ?? name}</c> with
/// the route's constraints and optional/catch-all parameters, the trigger's methods (all when none are listed) and
/// its auth level. Routing (precedence, 405 for a wrong method) is ASP.NET Core's, as in the worker, which routes the
/// forwarded request again with the same templates. Rebuilt whenever a worker becomes ready.
/// </summary>
internal sealed class FunctionEndpointDataSource : EndpointDataSource
{
    // Azure refuses these route starts when there is no prefix: they are the host's own paths.
    private static readonly string[] ReservedRouteStarts = ["admin", "runtime"];

    private readonly FunctionsHostOptions _options;
    private readonly HttpFunctionHandler _handler;
    private readonly ILogger<FunctionEndpointDataSource> _logger;
    private readonly object _gate = new();
    private IReadOnlyList<Endpoint> _endpoints = [];
    private CancellationTokenSource _changed = new();

    public FunctionEndpointDataSource(IWorkerLifecycle lifecycle, FunctionsHostOptions options, HttpFunctionHandler handler, ILogger<FunctionEndpointDataSource> logger)
    {
        _options = options;
        _handler = handler;
        _logger = logger;
        lifecycle.Ready += generation => Update(generation.Functions);
        if (lifecycle.Current is { } current) Update(current.Functions);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<Endpoint> Endpoints
    {
        get { lock (_gate) return _endpoints; }
    }

    /// <inheritdoc/>
    public override IChangeToken GetChangeToken()
    {
        lock (_gate) return new CancellationChangeToken(_changed.Token);
    }

    private void Update(IReadOnlyList<LoadedFunction> functions)
    {
        var endpoints = functions.Where(f => f.IsTriggeredBy("httpTrigger")).Select(Build).OfType<Endpoint>().ToList();
        CancellationTokenSource changed;
        lock (_gate)
        {
            _endpoints = endpoints;
            changed = _changed;
            _changed = new CancellationTokenSource();
        }
        changed.Cancel();
        changed.Dispose();
    }

    private RouteEndpoint? Build(LoadedFunction function)
    {
        var trigger = function.Trigger!;
        var route = (trigger.GetString("route") ?? function.Name).Trim().TrimStart('/');
        if (_options.RoutePrefix.Length == 0 && ReservedRouteStarts.Any(r => route.Equals(r, StringComparison.OrdinalIgnoreCase) || route.StartsWith(r + "/", StringComparison.OrdinalIgnoreCase)))
        {
            _logger.LogError("Function {Function} is not served: its route '{Route}' starts with a path reserved for the host (admin, runtime)", function.Name, route);
            return null;
        }
        RoutePattern pattern;
        try
        {
            pattern = RoutePatternFactory.Parse(_options.RoutePrefix.Length == 0 ? route : $"{_options.RoutePrefix}/{route}");
        }
        catch (RoutePatternException e)
        {
            _logger.LogError(e, "Function {Function} is not served: its route '{Route}' is not a valid route template", function.Name, route);
            return null;
        }

        var name = function.Name;
        var builder = new RouteEndpointBuilder(context => _handler.HandleAsync(context, name, trigger.Name), pattern, order: 0)
        {
            DisplayName = $"Function {name}",
        };
        var methods = Methods(trigger);
        if (methods.Count > 0) builder.Metadata.Add(new HttpMethodMetadata(methods));
        builder.Metadata.Add(new RequiredAuthLevel(RequiredAuthLevel.Parse(trigger.GetString("authLevel"))));
        return (RouteEndpoint)builder.Build();
    }

    private static List<string> Methods(FunctionBinding trigger)
    {
        if (!trigger.Json.TryGetProperty("methods", out var methods) || methods.ValueKind != JsonValueKind.Array) return [];
        return methods.EnumerateArray()
            .Where(m => m.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(m.GetString()))
            .Select(m => m.GetString()!.Trim().ToUpperInvariant())
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }
}
