namespace Pipeline.Host.Durable;

/// <summary>The durable part's state for the host status.</summary>
internal sealed class DurableStatus
{
}
