namespace Pipeline.Durable;

/// <summary>Gives an orchestrator or activity class its registered name (default: the class name).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class DurableTaskAttribute(string name) : Attribute
{
    /// <summary>The registered name.</summary>
    public string Name { get; } = name;
}
