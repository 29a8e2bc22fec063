namespace Pipeline.Durable;

/// <summary>Why an activity, sub-orchestration or orchestration failed; serializable, kept in history.</summary>
/// <param name="ErrorType">Full name of the exception type.</param>
/// <param name="ErrorMessage">The exception message.</param>
/// <param name="StackTrace">Where it was thrown, when known.</param>
/// <param name="InnerFailure">The inner exception's details, if any.</param>
public sealed record TaskFailureDetails(string ErrorType, string ErrorMessage, string? StackTrace = null, TaskFailureDetails? InnerFailure = null)
{
    /// <summary>Captures an exception (and its inner chain).</summary>
    public static TaskFailureDetails FromException(Exception e) => e switch
    {
        TaskFailedException tf => new(e.GetType().FullName!, e.Message, e.StackTrace, tf.FailureDetails),
        AggregateException { InnerExceptions.Count: 1 } agg => FromException(agg.InnerExceptions[0]),
        _ => new(e.GetType().FullName!, e.Message, e.StackTrace, e.InnerException is null ? null : FromException(e.InnerException)),
    };

    /// <summary>True when this failure, or one it wraps, was caused by an exception of type <typeparamref name="T"/>.</summary>
    public bool IsCausedBy<T>() where T : Exception
        => ErrorType == typeof(T).FullName || (InnerFailure?.IsCausedBy<T>() ?? false);

    /// <inheritdoc/>
    public override string ToString() => $"{ErrorType}: {ErrorMessage}";
}
