using System.Collections.Concurrent;

namespace Pipeline.Host.Worker;

/// <summary>
/// The worker processes the host started and has not heard from yet, by the worker id passed on their command line:
/// an incoming FunctionRpc stream is accepted only with the id of one of them, and only once.
/// </summary>
internal sealed class WorkerChannelRegistry
{
    private readonly ConcurrentDictionary<string, WorkerChannel> _expected = new(StringComparer.Ordinal);

    /// <summary>Expects a stream from <paramref name="channel"/>'s worker.</summary>
    public void Expect(WorkerChannel channel) => _expected[channel.WorkerId] = channel;

    /// <summary>Takes the channel for <paramref name="workerId"/>; false for an unknown or already connected id.</summary>
    public bool TryTake(string workerId, out WorkerChannel channel) => _expected.TryRemove(workerId, out channel!);

    /// <summary>Stops expecting <paramref name="channel"/> (its process is gone).</summary>
    public void Forget(WorkerChannel channel) => _expected.TryRemove(new KeyValuePair<string, WorkerChannel>(channel.WorkerId, channel));
}
