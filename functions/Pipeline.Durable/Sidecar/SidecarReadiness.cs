namespace Pipeline.Durable.Sidecar;

/// <summary>Whether the store is initialized; RPCs that arrive earlier wait for it (or fail with its problem).</summary>
internal sealed class SidecarReadiness
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    /// <summary>Why the store could not start, if it could not.</summary>
    public string? Problem => _ready.Task.Exception?.InnerException?.Message;

    public void SetReady() => _ready.TrySetResult();

    public void SetFailed(Exception problem) => _ready.TrySetException(problem);

    public Task WaitAsync(CancellationToken ct) => _ready.Task.WaitAsync(ct);
}
