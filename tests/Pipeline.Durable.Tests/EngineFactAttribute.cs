namespace Pipeline.Durable.Tests;

/// <summary>
/// A fact of the engine suite. It runs once per store the suite is derived for (SQLite and PostgreSQL) and is
/// never skipped: the PostgreSQL classes fail, saying how to install the binaries, on a machine without them.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class EngineFactAttribute : FactAttribute;
