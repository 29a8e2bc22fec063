using System.Globalization;

namespace Pipeline.Host.Hosting;

/// <summary>
/// The host.json settings of Microsoft's schema that this host honours. Everything else in host.json is left to the
/// worker (which reads the file itself) or ignored.
/// </summary>
public sealed record FunctionsHostOptions
{
    /// <summary>Used when host.json has no <c>functionTimeout</c>: Azure's default on dedicated plans.</summary>
    public static readonly TimeSpan DefaultFunctionTimeout = TimeSpan.FromMinutes(30);

    /// <summary>The longest bounded timeout (timers take at most 2^31 - 1 ms); use -1 for longer.</summary>
    public static readonly TimeSpan MaxFunctionTimeout = TimeSpan.FromDays(24);

    /// <summary>
    /// <c>functionTimeout</c>: how long one invocation may run before it is cancelled and failed; null when host.json
    /// says <c>-1</c> (unbounded).
    /// </summary>
    public TimeSpan? FunctionTimeout { get; init; } = DefaultFunctionTimeout;

    /// <summary><c>extensions.http.routePrefix</c>: the path segment(s) before every HTTP function's route; may be empty.</summary>
    public string RoutePrefix { get; init; } = "api";

    /// <summary>
    /// Reads the settings from configuration (host.json is one of its sources). Throws
    /// <see cref="InvalidOperationException"/> naming the key when a value is wrong.
    /// </summary>
    public static FunctionsHostOptions Read(IConfiguration configuration)
    {
        var options = new FunctionsHostOptions();
        var timeout = configuration["functionTimeout"];
        if (!string.IsNullOrWhiteSpace(timeout)) options = options with { FunctionTimeout = ParseTimeout(timeout.Trim()) };
        var prefix = configuration.GetSection("extensions:http:routePrefix");
        if (prefix.Value is not null) options = options with { RoutePrefix = prefix.Value.Trim().Trim('/') };
        if (options.RoutePrefix.IndexOfAny(['{', '}', '?', '#']) >= 0)
            throw new InvalidOperationException($"host.json: extensions.http.routePrefix '{prefix.Value}' may not hold '{{', '}}', '?' or '#': use literal path segments, or \"\" for none.");
        return options;
    }

    private static TimeSpan? ParseTimeout(string text)
    {
        if (text == "-1") return null;
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value > TimeSpan.Zero && value <= MaxFunctionTimeout) return value;
        throw new InvalidOperationException($"host.json: functionTimeout '{text}' is not a time span from 00:00:01 to {MaxFunctionTimeout:c} like \"00:10:00\" (or -1 for none).");
    }
}
