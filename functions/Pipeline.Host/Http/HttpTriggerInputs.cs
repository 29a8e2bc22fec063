using System.Text.Json;
using Pipeline.Host.Worker;
using Pipeline.Host.Worker.Rpc;

namespace Pipeline.Host.Http;

/// <summary>
/// What an HTTP invocation carries over gRPC when the worker takes the request itself (capability <c>HttpUri</c>),
/// as Microsoft's host builds it (GrpcMessageConversionExtensions.ToRpcHttp, HttpTriggerAttributeBindingProvider):
/// the trigger's input is an empty RpcHttp (with route values only if the worker asks, RequiresRouteParameters), and
/// the trigger metadata holds each query parameter but <c>code</c>, each route value (so <c>string id</c> parameters
/// bind), and <c>Query</c>/<c>Headers</c> as JSON objects. Names are unique ignoring case: the worker builds a
/// case-insensitive dictionary from them and would fail on duplicates. Route values win over query parameters.
/// </summary>
internal static class HttpTriggerInputs
{
    private const string RequiresRouteParametersCapability = "RequiresRouteParameters";
    private const string NullableValueDictionaryCapability = "UseNullableValueDictionaryForHttp";

    /// <summary>The trigger's input binding: an empty RpcHttp, the body and headers travel over HTTP.</summary>
    public static ParameterBinding TriggerInput(string bindingName, HttpContext context, WorkerGeneration worker)
    {
        var http = new RpcHttp();
        if (worker.Capabilities.ContainsKey(RequiresRouteParametersCapability))
        {
            var nullable = worker.Capabilities.ContainsKey(NullableValueDictionaryCapability);
            foreach (var (name, value) in RouteValues(context))
            {
                if (nullable) http.NullableParams[name] = new NullableString { Value = value };
                else http.Params[name] = value;
            }
        }
        return new ParameterBinding { Name = bindingName, Data = new TypedData { Http = http } };
    }

    /// <summary>The trigger metadata (binding data) of the request.</summary>
    public static Dictionary<string, TypedData> TriggerMetadata(HttpContext context)
    {
        var request = context.Request;
        var metadata = new Dictionary<string, TypedData>(StringComparer.OrdinalIgnoreCase);
        var query = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Query)
        {
            query[name] = values.ToString();
            if (!string.Equals(name, FunctionKeyMiddleware.QueryName, StringComparison.OrdinalIgnoreCase))
                metadata[name] = new TypedData { String = values.ToString() };
        }
        foreach (var (name, value) in RouteValues(context)) metadata[name] = new TypedData { String = value };
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers) headers[name] = values.ToString();
        metadata.TryAdd("Query", new TypedData { Json = JsonSerializer.Serialize(query) });
        metadata.TryAdd("Headers", new TypedData { Json = JsonSerializer.Serialize(headers) });
        return metadata;
    }

    private static IEnumerable<(string Name, string Value)> RouteValues(HttpContext context)
    {
        foreach (var (name, value) in context.Request.RouteValues)
        {
            if (value is null) continue;
            var text = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
            if (text is not null) yield return (name, text);
        }
    }
}
