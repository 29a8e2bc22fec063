using System.Diagnostics;
using Pipeline.Host.Worker.Rpc;

namespace Pipeline.Host.Worker;

/// <summary>The trace context every InvocationRequest carries: the worker dereferences it unconditionally.</summary>
internal static class TraceContexts
{
    /// <summary>The current W3C activity's context, else a new random trace.</summary>
    public static RpcTraceContext Current()
    {
        var activity = Activity.Current;
        if (activity is { IdFormat: ActivityIdFormat.W3C, Id: { } id })
            return new RpcTraceContext { TraceParent = id, TraceState = activity.TraceStateString ?? "" };
        return new RpcTraceContext { TraceParent = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-00", TraceState = "" };
    }
}
