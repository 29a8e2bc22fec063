using System.Net.Sockets;

namespace Pipeline.Host.Http;

/// <summary>
/// Retries a forwarded request whose connection to the worker was refused: the worker reports its listener's address
/// before that listener has necessarily started. Only refused connects are retried (nothing was sent yet), briefly:
/// 50 ms doubling to 250 ms, 10 attempts, as Microsoft's host does.
/// </summary>
internal sealed class ConnectRetryHandler(HttpMessageHandler inner, ILogger logger) : DelegatingHandler(inner)
{
    private const int MaxAttempts = 10;

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (attempt < MaxAttempts && e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                logger.LogDebug("The worker refused the connection to {Uri}; retrying in {Delay} ms (attempt {Attempt})", request.RequestUri, delay.TotalMilliseconds, attempt);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
            }
        }
    }
}
