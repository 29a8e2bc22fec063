using Pipeline.Durable;

namespace Pipeline.Functions.Hosting;

/// <summary>
/// TEMPORARY, deleted at integration with the old engine: lets code not yet converted to Microsoft.DurableTask (the
/// digitise, approval and meetings folders' old registrations) keep compiling. Nothing runs what it registers — the app no
/// longer hosts the old engine; orchestrations and activities are <c>[Function]</c>s run by the host.
/// </summary>
public static class LegacyDurableShims
{
    /// <summary>Records the old engine's registrations; nothing reads them.</summary>
    public static IServiceCollection AddDurableTasks(this IServiceCollection services, Action<DurableTaskRegistry> register)
        => services.AddSingleton(new DurableTaskRegistration(register));
}

/// <summary>One feature's old-engine registrations (TEMPORARY, see <see cref="LegacyDurableShims"/>).</summary>
/// <param name="Register">Adds the feature's orchestrators and activities.</param>
public sealed record DurableTaskRegistration(Action<DurableTaskRegistry> Register);
