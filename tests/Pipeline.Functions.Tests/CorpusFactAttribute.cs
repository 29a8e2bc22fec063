using Pipeline.Testing;

namespace Pipeline.Functions.Tests;

/// <summary>A fact that needs ../shared/corpus; skipped, saying why, where the corpus is not beside the repository.</summary>
public sealed class CorpusFactAttribute : FactAttribute
{
    public CorpusFactAttribute()
    {
        if (!Directory.Exists(RepoPaths.SharedCorpus))
            Skip = $"The test corpus is not at {RepoPaths.SharedCorpus} (../shared/corpus beside the repository).";
    }
}

/// <summary>A theory that needs ../shared/corpus; skipped, saying why, where the corpus is not beside the repository.</summary>
public sealed class CorpusTheoryAttribute : TheoryAttribute
{
    public CorpusTheoryAttribute()
    {
        if (!Directory.Exists(RepoPaths.SharedCorpus))
            Skip = $"The test corpus is not at {RepoPaths.SharedCorpus} (../shared/corpus beside the repository).";
    }
}
