namespace Pipeline.Functions.Digitise;

/// <summary>
/// How many pages this process reads at once (<see cref="DigitiseOptions.EffectiveParallelPages"/>). The durable worker
/// may run many more activities at once; without this bound every waiting page would be rasterised up front and
/// all of them would share the cores, finishing nothing sooner and holding all their images in memory.
/// </summary>
public sealed class PageSlots(DigitiseOptions options)
{
    private readonly SemaphoreSlim _slots = new(options.EffectiveParallelPages, options.EffectiveParallelPages);

    /// <summary>Waits for a free slot; dispose the result to give it back.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        await _slots.WaitAsync(ct);
        return new Slot(_slots);
    }

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release();
        }
    }
}
