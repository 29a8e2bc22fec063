using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("Pipeline.Functions.Tests.LongestFirst", "Pipeline.Functions.Tests")]

namespace Pipeline.Functions.Tests;

/// <summary>
/// Marks a test class that takes minutes (OCR of whole corpora, crashes and restarts), with about how long it took in a
/// run on a busy 2-core machine (only the order matters), so <see cref="LongestFirst"/> starts it early.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RunsLongAttribute(int seconds) : Attribute
{
    /// <summary>About how long the class takes, in seconds.</summary>
    public int Seconds { get; } = seconds;
}

/// <summary>
/// Starts the test classes marked <see cref="RunsLongAttribute"/> first, longest first, then the rest in xunit's order.
/// Classes run two at a time (one per core): a long class started last would run on alone after everything else has
/// finished; started first, the short classes fill the other core meanwhile.
/// </summary>
public sealed class LongestFirst : ITestCollectionOrderer
{
    private const string DefaultCollectionPrefix = "Test collection for ";

    /// <inheritdoc/>
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections)
        => testCollections.Select((collection, index) => (collection, index))
            .OrderByDescending(c => SecondsOf(c.collection))
            .ThenBy(c => c.index)
            .Select(c => c.collection)
            .ToList();

    // Each class is its own collection, named after the class.
    private static int SecondsOf(ITestCollection collection)
    {
        if (!collection.DisplayName.StartsWith(DefaultCollectionPrefix, StringComparison.Ordinal)) return 0;
        var type = typeof(LongestFirst).Assembly.GetType(collection.DisplayName[DefaultCollectionPrefix.Length..]);
        return type?.GetCustomAttributes(typeof(RunsLongAttribute), inherit: false) is [RunsLongAttribute runsLong, ..] ? runsLong.Seconds : 0;
    }
}
