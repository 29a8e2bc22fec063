using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace Pipeline.Functions.Tests.Documents;

/// <summary>
/// Every file of tests/corpus/ocrmypdf-resources (odd, broken and hostile PDFs and images) through the real app:
/// each is refused at upload with a problem, or ends Digitised, NeedsReview or Rejected with a reason — and the
/// service is still healthy afterwards.
/// </summary>
[RunsLong(490)]
public sealed class RobustnessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(8);

    [CorpusFact]
    public async Task Every_odd_file_ends_digitised_for_review_or_refused_with_a_reason_and_the_service_stays_healthy()
    {
        await using var app = await PipelineApp.StartAsync();
        using var client = app.CreateClient();
        var files = Directory.GetFiles(DocumentsHttp.Corpus("ocrmypdf-resources")).Order(StringComparer.Ordinal).ToList();
        var clock = Stopwatch.StartNew();

        var accepted = new Dictionary<string, string>();
        foreach (var file in files)
        {
            using var response = await client.UploadAsync([(Path.GetFileName(file), await File.ReadAllBytesAsync(file))]);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                var entry = JsonDocument.Parse(body).RootElement.GetProperty("documents")[0];
                if (!entry.TryGetProperty("duplicateOf", out _)) accepted[Path.GetFileName(file)] = entry.GetProperty("documentId").GetString()!;
                continue;
            }
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{Path.GetFileName(file)}: {(int)response.StatusCode} {body}");
            var problem = JsonDocument.Parse(body).RootElement;
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()), $"{Path.GetFileName(file)}: problem without a title");
            output.WriteLine($"{Path.GetFileName(file),-28} refused {(int)response.StatusCode}: {problem.GetProperty("title").GetString()}");
        }
        Assert.True(accepted.Count >= files.Count / 2, $"only {accepted.Count} of {files.Count} files were accepted");

        foreach (var (name, id) in accepted)
        {
            var left = Bound - clock.Elapsed;
            Assert.True(left > TimeSpan.Zero, $"the corpus took longer than {Bound}");
            var document = await client.WaitForDocumentAsync(id, left, "Digitised", "NeedsReview", "Rejected", "Failed");
            var status = document.GetProperty("status").GetString();
            var reason = status == "Rejected" ? document.GetProperty("error").GetProperty("message").GetString()
                : status == "NeedsReview" ? document.GetProperty("reviewReason").GetString() : "";
            output.WriteLine($"{name,-28} {status,-12} {document.GetProperty("pages")} pages  {reason}");
            Assert.True(status is "Digitised" or "NeedsReview" or "Rejected", $"{name} ended {status}: {document.GetProperty("error")}");
            if (status == "Rejected") Assert.False(string.IsNullOrWhiteSpace(reason), $"{name} was rejected without a reason");
            if (status != "Rejected") Assert.NotNull(document.GetProperty("links").GetProperty("archive").GetString());
        }

        using var health = await client.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        output.WriteLine($"{files.Count} files in {clock.Elapsed.TotalSeconds:0} s; app peak RSS {PeakRssMb(app.Process.Id)} MB");
    }

    private static long PeakRssMb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
    }
}
