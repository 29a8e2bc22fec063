using System.Collections.Concurrent;
using Microsoft.Azure.Functions.Worker;

namespace Pipeline.Host.TestApp.Durable;

/// <summary>Activities of the durable conformance tests.</summary>
public sealed class Activities
{
    private static readonly ConcurrentDictionary<string, int> Attempts = new();

    /// <summary>"Hello {city}!".</summary>
    [Function("SayHello")]
    public string SayHello([ActivityTrigger] string city, FunctionContext context) => $"Hello {city}!";

    /// <summary>The square.</summary>
    [Function("Square")]
    public int Square([ActivityTrigger] int value) => value * value;

    /// <summary>Fails the first <c>Failures</c> calls for a key, then answers "ok after N attempts".</summary>
    [Function("Flaky")]
    public string Flaky([ActivityTrigger] FlakyInput input)
    {
        var attempt = Attempts.AddOrUpdate(input.Key, 1, (_, n) => n + 1);
        if (attempt <= input.Failures) throw new InvalidOperationException($"Flaky failure {attempt} of {input.Key}");
        return $"ok after {attempt} attempts";
    }

    /// <summary>Never succeeds: "crash" kills the worker process, anything else throws.</summary>
    [Function("Poison")]
    public string Poison([ActivityTrigger] string how)
    {
        if (how == "crash") Environment.FailFast("TestApp poison activity kills its worker on purpose");
        throw new InvalidOperationException("Poison activity fails on purpose");
    }

    /// <summary>Appends its key to <c>$PIPELINE_DATA/record.log</c> (one line per run) and returns it.</summary>
    [Function("Record")]
    public string Record([ActivityTrigger] string key)
    {
        var data = Environment.GetEnvironmentVariable("PIPELINE_DATA") ?? "data";
        lock (Attempts) File.AppendAllText(Path.Combine(data, "record.log"), key + "\n");
        return key;
    }
}
