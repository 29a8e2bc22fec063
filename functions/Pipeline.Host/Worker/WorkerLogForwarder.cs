using Pipeline.Host.Worker.Rpc;

namespace Pipeline.Host.Worker;

/// <summary>
/// Writes the worker's <see cref="RpcLog"/> messages to the host's log under the worker's own category, level,
/// event id and exception, so one log holds host and worker (as Microsoft's host does).
/// </summary>
internal sealed class WorkerLogForwarder(ILoggerFactory loggerFactory)
{
    private const string DefaultCategory = "Pipeline.Host.Worker";

    /// <summary>Logs one message from the worker.</summary>
    public void Forward(RpcLog log)
    {
        // RpcLog.Level uses Microsoft.Extensions.Logging's numbering (Trace = 0 … Critical = 5, None = 6).
        var level = (LogLevel)(int)log.Level;
        if (level is < LogLevel.Trace or >= LogLevel.None) return;
        if (log.LogCategory == RpcLog.Types.RpcLogCategory.CustomMetric) return;
        var logger = loggerFactory.CreateLogger(string.IsNullOrEmpty(log.Category) ? DefaultCategory : log.Category);
        if (!logger.IsEnabled(level)) return;
        var exception = log.Exception is null ? null : new WorkerReportedException(log.Exception);
        logger.Log(level, new EventId(0, string.IsNullOrEmpty(log.EventId) ? null : log.EventId), log.Message, exception, static (message, _) => message);
    }
}
