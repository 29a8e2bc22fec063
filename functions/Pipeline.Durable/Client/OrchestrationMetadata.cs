namespace Pipeline.Durable;

/// <summary>An instance's state as clients see it.</summary>
public sealed record OrchestrationMetadata(string Name, string InstanceId)
{
    /// <summary>Lifecycle status.</summary>
    public OrchestrationRuntimeStatus RuntimeStatus { get; init; }
    /// <summary>When the instance was scheduled.</summary>
    public DateTime CreatedAt { get; init; }
    /// <summary>When it last changed.</summary>
    public DateTime LastUpdatedAt { get; init; }
    /// <summary>Input JSON (only when asked for inputs and outputs).</summary>
    public string? SerializedInput { get; init; }
    /// <summary>Output JSON when completed; the reason when terminated (only when asked for inputs and outputs).</summary>
    public string? SerializedOutput { get; init; }
    /// <summary>Custom status JSON.</summary>
    public string? SerializedCustomStatus { get; init; }
    /// <summary>Why it failed, when it failed.</summary>
    public TaskFailureDetails? FailureDetails { get; init; }

    /// <summary>Pending, Running or Suspended.</summary>
    public bool IsRunning => !RuntimeStatus.IsTerminal();

    /// <summary>Completed, Failed or Terminated.</summary>
    public bool IsCompleted => RuntimeStatus.IsTerminal();

    /// <summary>The input read as <typeparamref name="T"/>.</summary>
    public T? ReadInputAs<T>() => JsonDataConverter.Deserialize<T>(SerializedInput);

    /// <summary>The output read as <typeparamref name="T"/>.</summary>
    public T? ReadOutputAs<T>() => JsonDataConverter.Deserialize<T>(SerializedOutput);

    /// <summary>The custom status read as <typeparamref name="T"/>.</summary>
    public T? ReadCustomStatusAs<T>() => JsonDataConverter.Deserialize<T>(SerializedCustomStatus);
}

/// <summary>Filter for listing instances; all criteria optional.</summary>
public sealed record OrchestrationQuery
{
    /// <summary>Only these statuses.</summary>
    public IReadOnlyCollection<OrchestrationRuntimeStatus>? Statuses { get; init; }
    /// <summary>Created at or after.</summary>
    public DateTime? CreatedFrom { get; init; }
    /// <summary>Created before.</summary>
    public DateTime? CreatedTo { get; init; }
    /// <summary>Instance ids starting with this prefix.</summary>
    public string? InstanceIdPrefix { get; init; }
    /// <summary>Page size (1..1000).</summary>
    public int PageSize { get; init; } = 100;
    /// <summary>Token from the previous page.</summary>
    public string? ContinuationToken { get; init; }
    /// <summary>Include input, output and custom status.</summary>
    public bool FetchInputsAndOutputs { get; init; }
}

/// <summary>A page of instances.</summary>
/// <param name="Instances">The page.</param>
/// <param name="ContinuationToken">Pass back for the next page; null on the last page.</param>
public sealed record OrchestrationQueryResult(IReadOnlyList<OrchestrationMetadata> Instances, string? ContinuationToken);

/// <summary>Options for starting an instance.</summary>
/// <param name="InstanceId">The id to use; a new GUID (32 hex digits) when null.</param>
public sealed record StartOrchestrationOptions(string? InstanceId = null);

/// <summary>Thrown when a client call names an instance that does not exist.</summary>
public sealed class OrchestrationNotFoundException(string instanceId)
    : InvalidOperationException($"No orchestration instance with id '{instanceId}' exists.")
{
    /// <summary>The unknown id.</summary>
    public string InstanceId { get; } = instanceId;
}

/// <summary>Thrown when a message is sent to an instance that has already finished.</summary>
public sealed class OrchestrationFinishedException(string instanceId)
    : InvalidOperationException($"Orchestration instance '{instanceId}' has already finished and takes no more events.")
{
    /// <summary>The finished instance.</summary>
    public string InstanceId { get; } = instanceId;
}
