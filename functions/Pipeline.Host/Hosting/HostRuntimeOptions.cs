namespace Pipeline.Host.Hosting;

/// <summary>
/// Settings of this host that Microsoft's host.json schema has no key for, in host.json's <c>pipeline.host</c>
/// section (environment: <c>PIPELINE_HOST__&lt;NAME&gt;</c>). Every one has a default; none is needed.
/// </summary>
public sealed class HostRuntimeOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "pipeline:host";

    /// <summary>Largest request body accepted, in bytes; larger bodies get 413. Default 2 GiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>How long an HTTP request that arrives while no worker is ready waits for one before getting 503.</summary>
    public TimeSpan WorkerWaitForRequests { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a starting worker may take to connect and load its functions before it is killed and restarted.</summary>
    public TimeSpan WorkerStartTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>After an invocation is cancelled (timeout), how long the worker has to give it back before it is restarted.</summary>
    public TimeSpan CancelGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>On stop: how long in-flight invocations and HTTP responses may take to finish.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>On stop: how long the worker has to exit after WorkerTerminate before it is killed.</summary>
    public TimeSpan WorkerExitTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A worker that stayed up this long resets the restart backoff to its first step.</summary>
    public TimeSpan HealthyPeriod { get; set; } = TimeSpan.FromMinutes(1);
}
