using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Pipeline.Host.TestApp;

/// <summary>Functions that fail, hang, crash their worker, log, or take their time.</summary>
public sealed class FailureFunctions(ILogger<FailureFunctions> logger)
{
    /// <summary>Throws.</summary>
    [Function("Throw")]
    public IResult Throw([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "throw")] HttpRequest request)
        => throw new InvalidOperationException("TestApp failure on purpose");

    /// <summary>Waits until cancelled (it honours the invocation's cancellation token).</summary>
    [Function("Hang")]
    public async Task<IResult> Hang([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "hang")] HttpRequest request, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return Results.Text("unreachable");
    }

    /// <summary>Blocks its thread and ignores cancellation: the host must restart the worker to get rid of it.</summary>
    [Function("HangHard")]
    public IResult HangHard([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "hang-hard")] HttpRequest request)
    {
        Thread.Sleep(Timeout.Infinite);
        return Results.Text("unreachable");
    }

    /// <summary>Kills its own worker process.</summary>
    [Function("Crash")]
    public IResult Crash([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "crash")] HttpRequest request)
    {
        Environment.FailFast("TestApp crash on purpose");
        return Results.Text("unreachable");
    }

    /// <summary>Logs a warning and an error with an exception, both carrying <paramref name="marker"/>.</summary>
    [Function("Log")]
    public IResult Log([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "log/{marker}")] HttpRequest request, string marker)
    {
        logger.LogWarning("TestApp warning {Marker}", marker);
        logger.LogError(new InvalidOperationException($"TestApp exception {marker}"), "TestApp error {Marker}", marker);
        return Results.Text("logged");
    }

    /// <summary>Answers after <paramref name="milliseconds"/>.</summary>
    [Function("Slow")]
    public async Task<IResult> Slow([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "slow/{milliseconds:int}")] HttpRequest request, int milliseconds)
    {
        logger.LogInformation("TestApp slow request started: {Milliseconds} ms", milliseconds);
        await Task.Delay(milliseconds);
        return Results.Text($"slept {milliseconds}");
    }
}
