using System.Threading.Channels;
using Grpc.Core;

namespace Pipeline.Durable.Sidecar.InProcess;

/// <summary>
/// Both ends of an in-process server stream: the service writes messages, the caller reads them in order; when the
/// service ends (or fails) the reader sees the end (or the <see cref="RpcException"/>) after the last message.
/// </summary>
internal sealed class InProcessResponseStream<T>(InProcessServerCallContext context) : IServerStreamWriter<T>, IAsyncStreamReader<T>
    where T : class
{
    private readonly Channel<T> _messages = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    public T Current { get; private set; } = null!;

    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

    // The interface's default for this overload refuses a cancellable token; the dispatcher writes with one.
    public Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        context.CancellationToken.ThrowIfCancellationRequested();
        if (!_messages.Writer.TryWrite(message)) throw new InvalidOperationException("The stream has ended: no more messages can be written.");
        return Task.CompletedTask;
    }

    /// <summary>Ends the stream: <paramref name="error"/> null for a normal end.</summary>
    public void Complete(RpcException? error) => _messages.Writer.TryComplete(error);

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        try
        {
            if (!await _messages.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false)) return false;
        }
        catch (ChannelClosedException e) when (e.InnerException is RpcException rpc)
        {
            throw rpc;
        }
        catch (RpcException)
        {
            throw;
        }
        if (!_messages.Reader.TryRead(out var message)) return await MoveNext(cancellationToken).ConfigureAwait(false);
        Current = message;
        return true;
    }
}
