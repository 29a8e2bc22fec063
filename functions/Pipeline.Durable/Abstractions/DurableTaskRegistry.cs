using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace Pipeline.Durable;

/// <summary>
/// The orchestrators and activities a worker can run, by name. Classes are created per call through
/// dependency injection, so activities can take services (stores, engines) in their constructors.
/// </summary>
public sealed class DurableTaskRegistry
{
    private readonly Dictionary<string, Func<IServiceProvider, ITaskOrchestrator>> _orchestrators = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Func<IServiceProvider, ITaskActivity>> _activities = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Registers an orchestrator class under its <see cref="DurableTaskAttribute"/> name or class name.</summary>
    public DurableTaskRegistry AddOrchestrator<T>() where T : class, ITaskOrchestrator
        => AddOrchestrator(NameOf(typeof(T)), sp => ActivatorUtilities.CreateInstance<T>(sp));

    /// <summary>Registers an orchestrator under a name with a factory.</summary>
    public DurableTaskRegistry AddOrchestrator(string name, Func<IServiceProvider, ITaskOrchestrator> factory)
    {
        if (!_orchestrators.TryAdd(name, factory)) throw new ArgumentException($"An orchestrator named '{name}' is already registered.", nameof(name));
        return this;
    }

    /// <summary>Registers an orchestrator written as a function.</summary>
    public DurableTaskRegistry AddOrchestratorFunc<TInput, TOutput>(string name, Func<TaskOrchestrationContext, TInput, Task<TOutput>> run)
        => AddOrchestrator(name, _ => new FuncOrchestrator<TInput, TOutput>(run));

    /// <summary>Registers an activity class under its <see cref="DurableTaskAttribute"/> name or class name.</summary>
    public DurableTaskRegistry AddActivity<T>() where T : class, ITaskActivity
        => AddActivity(NameOf(typeof(T)), sp => ActivatorUtilities.CreateInstance<T>(sp));

    /// <summary>Registers an activity under a name with a factory.</summary>
    public DurableTaskRegistry AddActivity(string name, Func<IServiceProvider, ITaskActivity> factory)
    {
        if (!_activities.TryAdd(name, factory)) throw new ArgumentException($"An activity named '{name}' is already registered.", nameof(name));
        return this;
    }

    /// <summary>Registers an activity written as a function.</summary>
    public DurableTaskRegistry AddActivityFunc<TInput, TOutput>(string name, Func<TaskActivityContext, TInput, Task<TOutput>> run)
        => AddActivity(name, _ => new FuncActivity<TInput, TOutput>(run));

    /// <summary>Registers a synchronous activity written as a function.</summary>
    public DurableTaskRegistry AddActivityFunc<TInput, TOutput>(string name, Func<TaskActivityContext, TInput, TOutput> run)
        => AddActivity(name, _ => new FuncActivity<TInput, TOutput>((c, i) => Task.FromResult(run(c, i))));

    /// <summary>True when an orchestrator with this name is registered.</summary>
    public bool HasOrchestrator(string name) => _orchestrators.ContainsKey(name);

    /// <summary>Names of all registered orchestrators.</summary>
    public IReadOnlyCollection<string> OrchestratorNames => _orchestrators.Keys;

    internal bool TryCreateOrchestrator(string name, IServiceProvider services, out ITaskOrchestrator orchestrator)
    {
        orchestrator = null!;
        if (!_orchestrators.TryGetValue(name, out var factory)) return false;
        orchestrator = factory(services);
        return true;
    }

    internal bool TryCreateActivity(string name, IServiceProvider services, out ITaskActivity activity)
    {
        activity = null!;
        if (!_activities.TryGetValue(name, out var factory)) return false;
        activity = factory(services);
        return true;
    }

    private static string NameOf(Type type) => type.GetCustomAttribute<DurableTaskAttribute>()?.Name ?? type.Name;

    private sealed class FuncOrchestrator<TInput, TOutput>(Func<TaskOrchestrationContext, TInput, Task<TOutput>> run) : TaskOrchestrator<TInput, TOutput>
    {
        public override Task<TOutput> RunAsync(TaskOrchestrationContext context, TInput input) => run(context, input);
    }

    private sealed class FuncActivity<TInput, TOutput>(Func<TaskActivityContext, TInput, Task<TOutput>> run) : TaskActivity<TInput, TOutput>
    {
        public override Task<TOutput> RunAsync(TaskActivityContext context, TInput input) => run(context, input);
    }
}
