using System.Text.Json;
using System.Text.RegularExpressions;
using Pipeline.Host.Worker;

namespace Pipeline.Host.Triggers;

/// <summary>
/// A function with a <c>timerTrigger</c> binding, as its metadata declares it: <c>schedule</c> (with <c>%Name%</c>
/// replaced by the setting <c>Name</c> from the host's configuration, as Azure resolves app settings) and
/// <c>runOnStartup</c>. <c>useMonitor</c> is ignored: schedules are not persisted.
/// </summary>
/// <param name="Name">The function.</param>
/// <param name="BindingName">The trigger's binding (parameter) name.</param>
/// <param name="Schedule">The resolved schedule.</param>
/// <param name="RunOnStartup">Whether it runs once when the host starts, before its first occurrence.</param>
internal sealed partial record TimerFunction(string Name, string BindingName, TimerSchedule Schedule, bool RunOnStartup)
{
    /// <summary>The trigger type in function metadata.</summary>
    public const string TriggerType = "timerTrigger";

    /// <summary>Same function, same binding, same schedule and startup flag.</summary>
    public bool SameAs(TimerFunction other)
        => string.Equals(Name, other.Name, StringComparison.OrdinalIgnoreCase)
           && BindingName == other.BindingName
           && Schedule.Expression == other.Schedule.Expression
           && RunOnStartup == other.RunOnStartup;

    /// <summary>Reads the timer trigger of <paramref name="function"/>; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static TimerFunction From(LoadedFunction function, IConfiguration configuration)
    {
        var trigger = function.Trigger;
        if (trigger is null || !function.IsTriggeredBy(TriggerType)) throw new FormatException($"Function {function.Name} has no {TriggerType} binding.");
        var declared = trigger.GetString("schedule") ?? throw new FormatException($"The {TriggerType} of function {function.Name} has no schedule.");
        var resolved = Resolve(declared, configuration);
        if (!TimerSchedule.TryParse(resolved, out var schedule, out var error))
            throw new FormatException($"The schedule of timer function {function.Name} is wrong: {error}" + (resolved == declared ? "." : $" (from '{declared}')."));
        return new TimerFunction(function.Name, trigger.Name, schedule!, ReadBool(trigger.Json, "runOnStartup"));
    }

    /// <summary>Replaces each <c>%Name%</c> by the setting <c>Name</c> (<c>__</c> in a name also reads as <c>:</c>).</summary>
    public static string Resolve(string expression, IConfiguration configuration)
        => SettingReference().Replace(expression, match =>
        {
            var name = match.Groups[1].Value;
            return configuration[name] ?? configuration[name.Replace("__", ":", StringComparison.Ordinal)]
                ?? throw new FormatException($"The setting '{name}' named in schedule '{expression}' is not set.");
        });

    private static bool ReadBool(JsonElement json, string property)
    {
        foreach (var candidate in json.EnumerateObject())
        {
            if (!string.Equals(candidate.Name, property, StringComparison.OrdinalIgnoreCase)) continue;
            return candidate.Value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.String => bool.TryParse(candidate.Value.GetString(), out var value) && value,
                _ => false,
            };
        }
        return false;
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingReference();
}
