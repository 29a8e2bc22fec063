using Pipeline.Testing;

namespace Pipeline.Benchmarks;

/// <summary>
/// The <c>azureStorage</c> baseline of the durable benchmark: the same scenario through our host with Microsoft's engine
/// (TaskHubGrpcServer over DurableTask.AzureStorage) on a private Azurite per deployment (Azurite's own memory is not
/// in the RSS figures, as PostgreSQL's is not). Azure Storage on Azurite runs a few orchestrations per second, so its
/// counts are smaller (a tenth; warm-up a fortieth) and a run takes minutes; rates are per second, so they compare.
/// Queues are polled at most every <c>maxPollingInterval</c> of the repository's host.json (1 s; Microsoft's default is 30 s).
/// </summary>
internal static class AzureStorageBaseline
{
    /// <summary>The store name on the command line and in the results.</summary>
    public const string Store = "azureStorage";

    /// <summary>Runs the scenario with scaled counts; <paramref name="run"/> gets them and a source of fresh Azurite connection strings.</summary>
    public static async Task<DurableBenchmark.Result> RunAsync(DurableBenchmark.Settings settings,
        Func<DurableBenchmark.Settings, Func<Task<string?>>, Task<DurableBenchmark.Result>> run)
    {
        var scaled = settings with
        {
            Instances = Math.Max(20, settings.Instances / 10),
            FanOut = Math.Max(100, settings.FanOut / 10),
            LatencySamples = Math.Max(5, settings.LatencySamples / 10),
            WarmUp = settings.WarmUp / 40,
        };
        Console.WriteLine($"--- {Store} (baseline): Microsoft's engine on Azurite; counts {scaled.Instances} chains (warm-up {scaled.WarmUp}), " +
            $"fan-out {scaled.FanOut}, {scaled.LatencySamples} latency samples");
        var emulators = new List<AzuriteEmulator>();
        try
        {
            return await run(scaled, async () =>
            {
                // A fresh emulator per deployment: an empty task hub each time, as the other stores get a fresh database.
                var azurite = await AzuriteEmulator.StartAsync();
                emulators.Add(azurite);
                return azurite.ConnectionString;
            });
        }
        finally
        {
            foreach (var azurite in emulators) await azurite.DisposeAsync();
        }
    }

    /// <summary>Prints how SQLite and PostgreSQL compare with the baseline (our figure divided by its; latency: its divided by ours).</summary>
    public static void PrintRatios(IReadOnlyList<DurableBenchmark.Result> results)
    {
        var baseline = results.FirstOrDefault(r => r.Store == Store);
        if (baseline is null) return;
        Console.WriteLine();
        Console.WriteLine($"Against the {Store} baseline (x = times better: throughput ours / baseline, latency and RSS baseline / ours):");
        Console.WriteLine("| store | instances | HelloSequence5/s | fan-out activities/s | fan-out peak RSS | latency p50 | latency p95 |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var r in results.Where(r => r.Store != Store))
        {
            Console.WriteLine($"| {r.Store} | {r.Workers} | {Ratio(r.ChainsPerSecond, baseline.ChainsPerSecond)} | {Ratio(r.FanOutActivitiesPerSecond, baseline.FanOutActivitiesPerSecond)} | " +
                $"{Ratio(baseline.FanOutPeakRssMb, r.FanOutPeakRssMb)} | {Ratio(baseline.LatencyP50Ms, r.LatencyP50Ms)} | {Ratio(baseline.LatencyP95Ms, r.LatencyP95Ms)} |");
        }
    }

    private static string Ratio(double numerator, double denominator) => denominator > 0 ? $"{numerator / denominator:F1}x" : "–";
}
