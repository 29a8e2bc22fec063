using System.Reflection;
using Pipeline.Testing;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Pipeline.Durable.Tests;

/// <summary>
/// A fact of the engine suite. It runs once per store the suite is derived for; a class marked
/// <see cref="RequiresPostgresAttribute"/> skips (with the reason) on a machine without PostgreSQL binaries.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("Pipeline.Durable.Tests.EngineFactDiscoverer", "Pipeline.Durable.Tests")]
public sealed class EngineFactAttribute : FactAttribute;

/// <summary>The test class needs a private PostgreSQL cluster (<see cref="PostgresCluster"/>).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgresAttribute : Attribute
{
    public static string? SkipReason => PostgresCluster.IsAvailable
        ? null
        : "PostgreSQL binaries (initdb, pg_ctl, postgres) were not found under /usr/lib/postgresql/*/bin or PIPELINE_PG_BIN; " +
          "install them with infra/local/install-deps.sh --test to run the PostgreSQL store's tests.";
}

public sealed class EngineFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var testClass = testMethod.TestClass.Class.ToRuntimeType();
        if (testClass?.GetCustomAttribute<RequiresPostgresAttribute>() is not null && RequiresPostgresAttribute.SkipReason is { } reason)
        {
            return [new XunitSkippedDataRowTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)];
        }
        return base.Discover(discoveryOptions, testMethod, factAttribute);
    }
}
