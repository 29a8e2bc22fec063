using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.Functions.Tests.Documents;

/// <summary>Uploading and watching documents over the app's HTTP API, as an integrating system does.</summary>
public static class DocumentsHttp
{
    /// <summary>Statuses a digitisation ends in.</summary>
    public static readonly string[] Finished = ["Digitised", "NeedsReview", "Rejected", "Failed"];

    /// <summary>A file or folder of the repository's test corpus (tests/corpus); fails if it is missing.</summary>
    public static string Corpus(params string[] parts) => RepoPaths.CorpusPath(parts);

    /// <summary>POST /api/documents with <paramref name="files"/> (name, bytes) and form <paramref name="fields"/>.</summary>
    public static async Task<HttpResponseMessage> UploadAsync(this HttpClient client, IEnumerable<(string Name, byte[] Bytes)> files,
        IReadOnlyDictionary<string, string>? fields = null, string? idempotencyKey = null)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields ?? new Dictionary<string, string>()) form.Add(new StringContent(value), name);
        foreach (var (name, bytes) in files)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, "file", name);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/documents") { Content = form };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(request);
    }

    /// <summary>Uploads files from disk and returns the 202 body's documents (fails the test on any other answer).</summary>
    public static async Task<IReadOnlyList<JsonElement>> UploadAcceptedAsync(this HttpClient client, IReadOnlyDictionary<string, string>? fields, params string[] paths)
    {
        using var response = await client.UploadAsync(paths.Select(p => (Path.GetFileName(p), File.ReadAllBytes(p))), fields);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"upload answered {(int)response.StatusCode}: {body}");
        return [.. JsonDocument.Parse(body).RootElement.GetProperty("documents").EnumerateArray().Select(e => e.Clone())];
    }

    /// <summary>GET /api/documents/{id}.</summary>
    public static async Task<JsonElement> GetDocumentAsync(this HttpClient client, string id)
    {
        using var response = await client.GetAsync($"/api/documents/{id}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET document answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Polls the document until its status is one of <paramref name="statuses"/> (default: finished).</summary>
    public static async Task<JsonElement> WaitForDocumentAsync(this HttpClient client, string id, TimeSpan timeout, params string[] statuses)
    {
        if (statuses.Length == 0) statuses = Finished;
        var clock = Stopwatch.StartNew();
        JsonElement document;
        do
        {
            document = await client.GetDocumentAsync(id);
            if (statuses.Contains(document.GetProperty("status").GetString())) return document;
            await Task.Delay(200);
        }
        while (clock.Elapsed < timeout);
        throw new TimeoutException($"Document {id} did not reach {string.Join("/", statuses)} within {timeout}: {document}");
    }

    /// <summary>The problem+json of a refused request, checking its status and content type.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Runs a command-line tool and returns its standard output (fails the test when it fails).</summary>
    public static string Run(string executable, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{executable} failed ({process.ExitCode}): {errors}");
        return output.Result;
    }
}
