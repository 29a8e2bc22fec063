using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Pipeline.Host.TestApp.Durable;

/// <summary>Orchestrators of the durable conformance tests (each exercises one thing the bridge and the sidecar must hold).</summary>
public static class Orchestrations
{
    /// <summary>Three activities in sequence: ["Hello Tokyo!", "Hello Seattle!", "Hello London!"].</summary>
    [Function("HelloSequence")]
    public static async Task<List<string>> HelloSequence([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var result = new List<string>();
        foreach (var city in new[] { "Tokyo", "Seattle", "London" }) result.Add(await context.CallActivityAsync<string>("SayHello", city));
        return result;
    }

    /// <summary>Fans out <c>count</c> activities at once and returns every result, in order.</summary>
    [Function("FanOut")]
    public static async Task<List<int>> FanOut([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var count = context.GetInput<int>();
        var tasks = Enumerable.Range(0, count).Select(i => context.CallActivityAsync<int>("Square", i)).ToList();
        return [.. await Task.WhenAll(tasks)];
    }

    /// <summary>
    /// Activities that fail <c>failures</c> times before succeeding: one with a retry policy of 3 attempts (succeeds
    /// when failures &lt; 3), one without (fails on the first failure). Returns what each gave.
    /// </summary>
    [Function("Retries")]
    public static async Task<List<string>> Retries([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var input = context.GetInput<RetryInput>()!;
        var results = new List<string>();
        var retry = TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromMilliseconds(50)));
        foreach (var (key, options) in new[] { ($"{input.Key}-retried", retry), ($"{input.Key}-once", (TaskOptions?)null) })
        {
            try
            {
                results.Add(await context.CallActivityAsync<string>("Flaky", new FlakyInput(key, input.Failures), options));
            }
            catch (TaskFailedException e)
            {
                results.Add($"failed: {e.FailureDetails.ErrorMessage}");
            }
        }
        return results;
    }

    /// <summary>Calls the activity <c>Poison</c>, which never succeeds; returns its failure.</summary>
    [Function("CallsPoison")]
    public static async Task<string> CallsPoison([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        try
        {
            return await context.CallActivityAsync<string>("Poison", context.GetInput<string>());
        }
        catch (TaskFailedException e)
        {
            return $"failed: {e.FailureDetails.ErrorType}: {e.FailureDetails.ErrorMessage}";
        }
    }

    /// <summary>Two sub-orchestrations per generation, <c>generations</c> times through ContinueAsNew; returns every child's id.</summary>
    [Function("Parent")]
    public static async Task<List<string>> Parent([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var state = context.GetInput<ParentState>()!;
        var ids = new List<string>(state.ChildIds);
        ids.Add(await context.CallSubOrchestratorAsync<string>("Child", state.Generation));
        ids.Add(await context.CallSubOrchestratorAsync<string>("Child", state.Generation));
        if (state.Generation + 1 >= state.Generations) return ids;
        context.ContinueAsNew(state with { Generation = state.Generation + 1, ChildIds = ids });
        return [];
    }

    /// <summary>Returns its own instance id (after an activity, so it really runs).</summary>
    [Function("Child")]
    public static async Task<string> Child([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        await context.CallActivityAsync<int>("Square", context.GetInput<int>());
        return context.InstanceId;
    }

    /// <summary>Waits for the events named in its input, in that order; returns their payloads.</summary>
    [Function("WaitForEvents")]
    public static async Task<List<string>> WaitForEvents([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var names = context.GetInput<List<string>>() ?? ["Go"];
        var payloads = new List<string>();
        foreach (var name in names)
        {
            context.SetCustomStatus($"waiting for {name}");
            payloads.Add(await context.WaitForExternalEvent<string>(name));
        }
        context.SetCustomStatus("done");
        return payloads;
    }

    /// <summary>
    /// Waits for <c>Go</c> for one second (the wait times out and is cancelled), says so in its custom status, then
    /// waits for <c>Go</c> again: a later <c>Go</c> must reach the second wait, not the cancelled one.
    /// </summary>
    [Function("CancelledWait")]
    public static async Task<string> CancelledWait([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        try
        {
            return "first: " + await context.WaitForExternalEvent<string>("Go", TimeSpan.FromSeconds(1));
        }
        catch (TaskCanceledException)
        {
            context.SetCustomStatus("first wait timed out");
        }
        return "second: " + await context.WaitForExternalEvent<string>("Go");
    }

    /// <summary>A durable timer <c>days</c> days ahead, then "fired".</summary>
    [Function("LongTimer")]
    public static async Task<string> LongTimer([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var days = context.GetInput<double>();
        context.SetCustomStatus("timer set");
        await context.CreateTimer(context.CurrentUtcDateTime.AddDays(days), CancellationToken.None);
        return "fired";
    }

    /// <summary>Awaits a task that is not durable: the host's probe and the app's guard must fail it.</summary>
    [Function("AwaitsNonDurableTask")]
    public static async Task<string> AwaitsNonDurableTask([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var never = new TaskCompletionSource<string>();
        await context.CallActivityAsync<int>("Square", 2);
        return await never.Task;
    }

    /// <summary>Fans out <c>count</c> activities that each record their run in the data directory; returns the results.</summary>
    [Function("Recorded")]
    public static async Task<List<string>> Recorded([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var count = context.GetInput<int>();
        var results = new List<string>();
        // In batches, so a crash finds some batches done and some not.
        for (var start = 0; start < count; start += 10)
        {
            var batch = Enumerable.Range(start, Math.Min(10, count - start)).Select(i => context.CallActivityAsync<string>("Record", $"{context.InstanceId}:{i}"));
            results.AddRange(await Task.WhenAll(batch));
        }
        return results;
    }
}

/// <summary>Input of <see cref="Orchestrations.Retries"/>.</summary>
public sealed record RetryInput(string Key, int Failures);

/// <summary>Input of the Flaky activity.</summary>
public sealed record FlakyInput(string Key, int Failures);

/// <summary>State of <see cref="Orchestrations.Parent"/> across ContinueAsNew.</summary>
public sealed record ParentState(int Generation, int Generations, List<string> ChildIds);
