namespace Pipeline.Functions.Tests;

/// <summary>
/// A fact that reads the repository's test corpus (tests/corpus, through <see cref="Pipeline.Testing.RepoPaths.CorpusPath"/>).
/// Never skipped: the corpus is part of the repository, and a missing file fails the test naming the path.
/// </summary>
public sealed class CorpusFactAttribute : FactAttribute;

/// <summary>
/// A theory that reads the repository's test corpus (tests/corpus, through <see cref="Pipeline.Testing.RepoPaths.CorpusPath"/>).
/// Never skipped: the corpus is part of the repository, and a missing file fails the test naming the path.
/// </summary>
public sealed class CorpusTheoryAttribute : TheoryAttribute;
