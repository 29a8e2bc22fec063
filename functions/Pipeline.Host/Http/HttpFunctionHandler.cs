using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Pipeline.Host.Hosting;
using Pipeline.Host.Worker;
using Pipeline.Host.Worker.Rpc;
using Yarp.ReverseProxy.Forwarder;

namespace Pipeline.Host.Http;

/// <summary>
/// Runs one HTTP-triggered function for one request, as Microsoft's host does with the ASP.NET Core integration:
/// the request itself (headers, streamed body) is forwarded to the worker's loopback listener with
/// <c>x-ms-invocation-id</c>, started before the InvocationRequest that carries an empty RpcHttp and the trigger
/// metadata; the worker pairs the two and answers over HTTP, streamed back as it comes. The host answers with a
/// problem only when nothing of the function's answer has gone out yet: no worker (503), too large (413), timed out
/// or failed (500), no answer (502).
/// </summary>
internal sealed class HttpFunctionHandler(
    FunctionInvoker invoker,
    IWorkerLifecycle lifecycle,
    WorkerHttpForwarder forwarder,
    InFlightWork inFlight,
    IOptions<HostRuntimeOptions> options,
    ILogger<HttpFunctionHandler> logger)
{
    private readonly HostRuntimeOptions _options = options.Value;

    /// <summary>Handles the request for function <paramref name="functionName"/> whose trigger binding is <paramref name="triggerName"/>.</summary>
    public async Task HandleAsync(HttpContext context, string functionName, string triggerName)
    {
        using var lease = inFlight.Enter();
        if (context.Request.ContentLength > _options.MaxRequestBodyBytes)
        {
            await HttpProblems.BodyTooLarge(_options.MaxRequestBodyBytes).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        var worker = await ReadyWorkerAsync(context).ConfigureAwait(false);
        if (worker is null) return;

        var outcome = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stopForwarding = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        using var stopInvocation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        Task<ForwarderError>? forwarding = null;
        string? invocationId = null;
        InvocationResponse? response = null;
        Exception? failure = null;

        var plan = new InvocationPlan(functionName, [HttpTriggerInputs.TriggerInput(triggerName, context, worker)], HttpTriggerInputs.TriggerMetadata(context), worker,
            BeforeSend: (id, generation) =>
            {
                invocationId = id;
                forwarding = ForwardAsync(context, generation, new WorkerRequestTransformer(id, outcome.Task), stopForwarding.Token, stopInvocation);
            });
        try
        {
            response = await invoker.InvokeAsync(plan, stopInvocation.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WorkerUnavailableException or FunctionTimeoutException or FunctionNotFoundException or OperationCanceledException)
        {
            failure = e;
        }
        var succeeded = response?.Result?.Status == StatusResult.Types.Status.Success;
        outcome.TrySetResult(succeeded);
        if (!succeeded) stopForwarding.Cancel();
        var forwardError = forwarding is null ? ForwarderError.None : await forwarding.ConfigureAwait(false);

        if (context.RequestAborted.IsCancellationRequested) return; // The client is gone; nothing to answer.
        if (succeeded && forwardError == ForwarderError.None) return;
        if (!succeeded) LogFailure(functionName, invocationId, response, failure, context.Response.HasStarted);
        else logger.LogWarning(context.Features.Get<IForwarderErrorFeature>()?.Exception, "Function {Function} (invocation {InvocationId}) succeeded but forwarding its HTTP exchange failed: {Error}", functionName, invocationId, forwardError);

        if (context.Response.HasStarted)
        {
            // The function's answer is (partly) out, so no problem can follow it: if it did not all arrive, cut the
            // connection so the client sees an incomplete response rather than a short one.
            if (forwardError != ForwarderError.None) context.Abort();
            return;
        }
        context.Response.Clear();
        await ProblemFor(functionName, invocationId, failure, succeeded, context).ExecuteAsync(context).ConfigureAwait(false);
    }

    private async Task<WorkerGeneration?> ReadyWorkerAsync(HttpContext context)
    {
        if (lifecycle.IsStopping)
        {
            await Unavailable(context, "The host is shutting down.").ConfigureAwait(false);
            return null;
        }
        try
        {
            return await lifecycle.WaitForReadyAsync(context.RequestAborted).WaitAsync(_options.WorkerWaitForRequests).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await Unavailable(context, $"No worker process became ready within {_options.WorkerWaitForRequests:g}; it is starting or restarting.").ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return null;
        }
    }

    private static Task Unavailable(HttpContext context, string detail)
    {
        context.Response.Headers.RetryAfter = "5";
        return HttpProblems.WorkerUnavailable(detail).ExecuteAsync(context);
    }

    private async Task<ForwarderError> ForwardAsync(HttpContext context, WorkerGeneration worker, WorkerRequestTransformer transformer, CancellationToken cancellationToken, CancellationTokenSource stopInvocation)
    {
        if (worker.HttpUri is null)
        {
            logger.LogError("The worker has no HTTP listener (capability HttpUri): the app must use the ASP.NET Core integration (ConfigureFunctionsWebApplication)");
            stopInvocation.Cancel();
            return ForwarderError.NoAvailableDestinations;
        }
        // Let the InvocationRequest go out first; YARP then streams the body while the worker pairs the two.
        await Task.Yield();
        var error = await forwarder.SendAsync(context, worker.HttpUri, transformer, cancellationToken).ConfigureAwait(false);
        // The worker will not get (the rest of) the request: do not leave the invocation waiting for it.
        if (error != ForwarderError.None) stopInvocation.Cancel();
        return error;
    }

    private IResult ProblemFor(string functionName, string? invocationId, Exception? failure, bool succeeded, HttpContext context)
    {
        if (BodyWasTooLarge(context)) return HttpProblems.BodyTooLarge(_options.MaxRequestBodyBytes);
        return failure switch
        {
            FunctionTimeoutException timeout => HttpProblems.FunctionTimedOut(functionName, timeout.Timeout),
            WorkerUnavailableException unavailable => WithRetryAfter(context, HttpProblems.WorkerUnavailable(unavailable.Message)),
            FunctionNotFoundException => WithRetryAfter(context, HttpProblems.WorkerUnavailable($"The worker has not loaded function '{functionName}'.")),
            null when !succeeded => HttpProblems.FunctionFailed(functionName, invocationId ?? "(none)"),
            _ => HttpProblems.WorkerDidNotAnswer(functionName),
        };
    }

    /// <summary>True when reading the client's body hit Kestrel's limit (a chunked body has no length to check first).</summary>
    private static bool BodyWasTooLarge(HttpContext context)
    {
        for (var e = context.Features.Get<IForwarderErrorFeature>()?.Exception; e is not null; e = e.InnerException)
        {
            if (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }) return true;
        }
        return false;
    }

    private static IResult WithRetryAfter(HttpContext context, IResult result)
    {
        context.Response.Headers.RetryAfter = "5";
        return result;
    }

    private void LogFailure(string functionName, string? invocationId, InvocationResponse? response, Exception? failure, bool responseStarted)
    {
        if (response?.Result is { } result)
        {
            var exception = result.Exception is { } e ? new WorkerReportedException(e) : null;
            logger.LogError(exception, "Function {Function} (invocation {InvocationId}) failed{AfterResponse}", functionName, invocationId,
                responseStarted ? " after its response had started" : "");
        }
        else if (failure is OperationCanceledException)
        {
            logger.LogWarning("Function {Function} (invocation {InvocationId}) was cancelled: the request to the worker could not be completed", functionName, invocationId);
        }
        else
        {
            logger.LogError(failure, "Function {Function} (invocation {InvocationId}) did not complete", functionName, invocationId);
        }
    }
}
