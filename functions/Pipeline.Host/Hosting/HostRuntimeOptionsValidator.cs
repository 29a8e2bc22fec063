using Microsoft.Extensions.Options;

namespace Pipeline.Host.Hosting;

/// <summary>Checks <see cref="HostRuntimeOptions"/> at start; each failure names the host.json key and what it must be.</summary>
public sealed class HostRuntimeOptionsValidator : IValidateOptions<HostRuntimeOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, HostRuntimeOptions options)
    {
        var errors = new List<string>();
        if (options.MaxRequestBodyBytes <= 0) errors.Add(Key(nameof(options.MaxRequestBodyBytes)) + " must be a positive number of bytes.");
        Check(errors, nameof(options.WorkerWaitForRequests), options.WorkerWaitForRequests, TimeSpan.Zero, TimeSpan.FromHours(1));
        Check(errors, nameof(options.WorkerStartTimeout), options.WorkerStartTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Check(errors, nameof(options.CancelGracePeriod), options.CancelGracePeriod, TimeSpan.Zero, TimeSpan.FromHours(1));
        Check(errors, nameof(options.DrainTimeout), options.DrainTimeout, TimeSpan.Zero, TimeSpan.FromHours(1));
        Check(errors, nameof(options.WorkerExitTimeout), options.WorkerExitTimeout, TimeSpan.Zero, TimeSpan.FromMinutes(10));
        Check(errors, nameof(options.HealthyPeriod), options.HealthyPeriod, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(List<string> errors, string property, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max) errors.Add($"{Key(property)} is {value}; it must be from {min} to {max}.");
    }

    private static string Key(string property) => $"host.json pipeline.host.{char.ToLowerInvariant(property[0])}{property[1..]}";
}
