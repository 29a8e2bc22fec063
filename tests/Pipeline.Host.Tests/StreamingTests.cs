using System.Net;
using System.Security.Cryptography;
using System.Text.Json;

namespace Pipeline.Host.Tests;

/// <summary>Bodies stream through the host both ways; the host's body limit holds.</summary>
public sealed class StreamingTests
{
    private const long UploadBytes = 200L * 1024 * 1024;

    [Fact]
    public async Task Upload_of_200_MB_arrives_intact_while_the_host_stays_far_below_its_size()
    {
        await using var host = await HostProcess.StartAsync();
        using var client = host.CreateClient(host.FunctionKey);
        Assert.Equal("Hello Ada", await client.GetStringAsync("hello/Ada"));
        var before = host.PeakResidentBytes();

        var content = new GeneratedContent(UploadBytes, seed: 1, chunked: false);
        var response = await client.PostAsync("upload", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        using var result = JsonDocument.Parse(body);
        Assert.Equal(UploadBytes, result.RootElement.GetProperty("size").GetInt64());
        Assert.Equal(content.Sha256, result.RootElement.GetProperty("sha256").GetString());

        // A memory bound, not a timing: the body never sits in the host (nor in a gRPC message).
        AssertFarBelow(before, host.PeakResidentBytes(), UploadBytes);
    }

    [Fact]
    public async Task Chunked_upload_without_length_arrives_intact()
    {
        await using var host = await HostProcess.StartAsync();
        using var client = host.CreateClient(host.FunctionKey);
        var content = new GeneratedContent(50L * 1024 * 1024 + 17, seed: 2, chunked: true);
        var response = await client.PostAsync("upload", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        using var result = JsonDocument.Parse(body);
        Assert.Equal(content.Length, result.RootElement.GetProperty("size").GetInt64());
        Assert.Equal(content.Sha256, result.RootElement.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task Download_of_200_MB_streams_intact()
    {
        await using var host = await HostProcess.StartAsync();
        using var client = host.CreateClient();
        Assert.Equal("Hello Ada", await client.GetStringAsync("hello/Ada"));
        var before = host.PeakResidentBytes();
        using var response = await client.GetAsync("download/200", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long total = 0;
        await using (var stream = await response.Content.ReadAsStreamAsync())
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                total += read;
            }
        }
        Assert.Equal(200L * 1024 * 1024, total);
        Assert.Equal(ExpectedDownloadHash(200), Convert.ToHexStringLower(hash.GetHashAndReset()));
        AssertFarBelow(before, host.PeakResidentBytes(), total);
    }

    [Fact]
    public async Task Body_over_the_configured_limit_is_a_413_problem()
    {
        // PIPELINE_HOST__MAXREQUESTBODYBYTES overrides host.json's pipeline.host.maxRequestBodyBytes.
        await using var host = await HostProcess.StartAsync(environment: new Dictionary<string, string?> { ["PIPELINE_HOST__MAXREQUESTBODYBYTES"] = "1000000" });
        using var client = host.CreateClient(host.FunctionKey);

        var withLength = await client.PostAsync("upload", new GeneratedContent(2_000_000, seed: 3, chunked: false));
        var problem = await Problems.AssertProblemAsync(withLength, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("1000000", problem.Detail());

        var chunked = await client.PostAsync("upload", new GeneratedContent(2_000_000, seed: 4, chunked: true));
        await Problems.AssertProblemAsync(chunked, HttpStatusCode.RequestEntityTooLarge);

        var small = await client.PostAsync("upload", new GeneratedContent(500_000, seed: 5, chunked: true));
        Assert.True(small.IsSuccessStatusCode, await small.Content.ReadAsStringAsync());
    }

    /// <summary>The host's peak RSS grew by under a quarter of the body and stayed under the body's size.</summary>
    private static void AssertFarBelow(long peakBefore, long peakAfter, long bodyBytes)
    {
        const long MiB = 1024 * 1024;
        Assert.True(peakAfter - peakBefore < bodyBytes / 4 && peakAfter < bodyBytes,
            $"The host's peak RSS went from {peakBefore / MiB} to {peakAfter / MiB} MiB for a {bodyBytes / MiB} MiB body.");
    }

    private static string ExpectedDownloadHash(int megabytes)
    {
        var chunk = new byte[64 * 1024];
        for (var i = 0; i < chunk.Length; i++) chunk[i] = (byte)i;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var i = 0; i < megabytes * 16; i++) hash.AppendData(chunk);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
